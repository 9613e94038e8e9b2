import Foundation
import Subprocess

/// Pages drawn by scripts: the DOM headless Chromium (Debian's `chromium`) has once the page's scripts ran,
/// in place of the HTML the server sent. A page is fetched with libcurl first — robots.txt, politeness,
/// redirects, status codes, bot defences and the address rules all apply as to any page — and only a page
/// that came back as HTML is rendered, from its final address. Chromium then loads it again with its
/// scripts, every request of it through a `PolicyProxy`: what the page's scripts and subresources may reach
/// is what the pipeline's links may reach (and the page's own address), decided before any connection.
package struct BrowserRenderer: Sendable {
    /// Chromium's program.
    package let executable: String
    /// Virtual time the page's scripts get before the DOM is taken, in seconds.
    package var budget: Double = 5
    /// Wall time after which Chromium is stopped and the page fails, in seconds.
    package var timeout: Double = 30
    /// The largest DOM taken, like a body's size limit.
    package var maxBytes = 10 * 1024 * 1024
    /// JavaScript heap Chromium's page may use, in MB.
    package var heapMegabytes = 256

    /// Why a page could not be rendered.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The Debian package that provides Chromium, named in the error when it is missing.
    package static let package = "chromium"

    /// The renderer with Chromium found on `path` (default: `PATH`), as `chromium` or `chromium-browser`.
    package static func find(path: String? = nil) throws(Failure) -> BrowserRenderer {
        let folders = (path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for folder in folders {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return BrowserRenderer(executable: path) }
            }
        }
        throw Failure(
            description:
                "render: browser needs Chromium, which is not installed (Debian package '\(package)': apt-get install chromium)"
        )
    }

    /// The page at `response.url` as Chromium draws it: the same response with the rendered DOM as its body.
    /// The browser's traffic obeys `policy`'s address rule; the page's own address is always allowed (it was
    /// fetched under the policy already).
    package func render(
        _ response: Response, userAgent: String, policy: Request.Policy, publicForTesting: Set<String> = []
    ) async -> Result<Response, FetchError> {
        let url = response.url
        let own = response.address
        let ownPort = URLComponents(string: url).flatMap { $0.port ?? ($0.scheme == "https" ? 443 : 80) }
        let privateAddresses = policy.privateAddresses
        let proxy: PolicyProxy
        do {
            proxy = try PolicyProxy { address, port in
                privateAddresses || (address == own && port == ownPort)
                    || !AddressPolicy.isPrivate(address, publicForTesting: publicForTesting)
            }
        } catch {
            return .failure(
                .transport(url: response.requestedURL, message: "cannot start the browser's proxy: \(error)"))
        }
        defer { proxy.stop() }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "feedpipe-render-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
            "--disable-background-networking", "--disable-sync", "--mute-audio", "--hide-scrollbars",
            "--blink-settings=imagesEnabled=false", "--js-flags=--max-old-space-size=\(heapMegabytes)",
            "--user-data-dir=\(profile.path)", "--user-agent=\(userAgent)",
            // Every request through the policy's proxy, loopback ones included; no UDP around it (WebRTC), no
            // lookups of its own.
            "--proxy-server=http://127.0.0.1:\(proxy.port)", "--proxy-bypass-list=<-loopback>",
            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp", "--dns-prefetch-disable",
            "--virtual-time-budget=\(Int(budget * 1000))", "--dump-dom", url,
        ]
        let home = profile.path
        let executable = self.executable
        let timeout = self.timeout
        let started = Date()
        let limit = maxBytes
        let outcome = await withTaskGroup(of: Result<String, Failure>?.self) { group in
            group.addTask {
                do {
                    let result = try await run(
                        .path(.init(executable)), arguments: Arguments(arguments),
                        environment: Environment.inherit.updating(["HOME": home]),
                        output: .string(limit: limit), error: .discarded)
                    let dom = result.standardOutput
                    guard result.terminationStatus.isSuccess, !dom.isEmpty else {
                        return .failure(
                            Failure(description: "Chromium could not render the page (\(result.terminationStatus))"))
                    }
                    return .success(dom)
                } catch {
                    return .failure(Failure(description: "Chromium could not render the page: \(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(Failure(description: "Chromium took longer than \(Int(timeout)) s; stopped"))
        }
        switch outcome {
        case .failure(let failure):
            return .failure(.transport(url: response.requestedURL, message: failure.description))
        case .success(let dom):
            var rendered = response
            rendered.body = Array(dom.utf8)
            rendered.headers["content-type"] = "text/html; charset=utf-8"
            rendered.elapsed += Date().timeIntervalSince(started)
            return .success(rendered)
        }
    }
}
