import Foundation
import State

extension Runner {
    /// Runs the pipelines that are due and that this worker can claim among workers sharing one store
    /// (`PipelineClaims`), a batch at a time, until each has been run, here or by another worker. A pipeline
    /// is due when its last run finished more than its `every` ago. One that another worker holds is asked
    /// for again every `pause` until that worker finishes it or ends: a dead worker's claims lapse and its
    /// pipelines are run here.
    ///
    /// Returns, for each pipeline, this worker's outcome, or `nil` when another worker ran it.
    package func runShared(
        _ configs: [PipelineConfig], state: any StateStore, claims: any PipelineClaims, batch: Int = 4,
        pause: Duration = .seconds(1)
    ) async -> [Result<RunReport, RunError>?] {
        var outcomes = [Result<RunReport, RunError>?](repeating: nil, count: configs.count)
        var pending = Array(configs.indices)
        while !pending.isEmpty {
            var taken: [Int] = []
            var waiting: [Int] = []
            for index in pending {
                guard taken.count < max(1, batch) else {
                    waiting.append(index)
                    continue
                }
                do {
                    let dueAfter = Date().addingTimeInterval(-configs[index].every)
                    switch try await claims.claim(configs[index].id, dueAfter: dueAfter) {
                    case .taken: taken.append(index)
                    case .held: waiting.append(index)
                    case .done: logger.info("\(configs[index].name): not due (run by another worker)")
                    }
                } catch {
                    // The store cannot be asked: nothing more can be claimed; what is left fails with the cause.
                    for index in taken { try? await claims.release(configs[index].id) }
                    for index in pending where outcomes[index] == nil {
                        outcomes[index] = .failure(.state(error))
                    }
                    return outcomes
                }
            }
            pending = waiting
            guard !taken.isEmpty else {
                try? await Task.sleep(for: pause)
                continue
            }
            let results = await run(taken.map { configs[$0] }, state: state)
            for (index, result) in zip(taken, results) {
                outcomes[index] = result
                do {
                    try await claims.finish(configs[index].id, at: Date())
                } catch {
                    logger.warning("\(configs[index].name): the run is not recorded as finished: \(error)")
                }
            }
        }
        return outcomes
    }
}
