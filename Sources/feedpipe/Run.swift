import ArgumentParser
struct Run: AsyncParsableCommand {
    func run() async throws {}
}
struct Check: AsyncParsableCommand {
    func run() async throws {}
}
