import Pipeline

/// The pipeline file parser on arbitrary text: YAML, keys, selectors, expressions, durations.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    _ = try? PipelineConfig.parse(text, file: "/fuzz/Pipelines/fuzz.yml")
    return 0
}
