/// Why a pipeline could not be loaded or run. Config errors carry the file, line and column.
public struct PipelineError: Error, Sendable, CustomStringConvertible, Equatable {
    package let file: String
    package let line: Int?
    package let column: Int?
    package let message: String
    /// Further errors of the same file (every bad selector is reported at once), each on a line of its own.
    package var more: [PipelineError] = []

    package init(file: String, line: Int? = nil, column: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return (["\(location): \(message)"] + more.map(\.description)).joined(separator: "\n")
    }
}
