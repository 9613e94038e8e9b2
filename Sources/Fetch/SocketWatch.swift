internal import CCurl
import Dispatch
import Foundation

/// What libcurl asks to have watched when events drive it (`curl_multi_socket_action`): its sockets, each
/// with the readiness it waits for, and when its timers next fall due; and a pipe that wakes the wait when
/// the reader of the answers takes one.
///
/// Driven this way, libcurl reads only the socket that is ready, and each answer is taken as soon as it is
/// in. `curl_multi_perform` instead looks at every transfer on every call (a `poll` of its own per
/// transfer in libcurl 7), and answers that arrive together are read together before any is taken.
/// In the fetch benchmark's latency case (50 hosts, two connections each) that cost 20,000 `poll` calls,
/// and every host's next request waited for the whole round of answers to be read.
/// `@unchecked Sendable`: only `wake` is called off the client's queue, and it touches nothing but a file
/// descriptor set once.
final class SocketWatch: @unchecked Sendable {
    /// The sockets libcurl watches, with the `poll` events each waits for.
    private var sockets: [curl_socket_t: Int16] = [:]
    /// When libcurl's timers next fall due (transfers just added start then), in uptime nanoseconds.
    var deadline: UInt64?
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// `nil` when the system gives no pipe.
    init?() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (wakeRead, wakeWrite) = (ends[0], ends[1])
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Has libcurl report its sockets and timers here. The multi handle must not outlive the watch.
    func install(on multi: UnsafeMutableRawPointer) -> CURLMcode {
        let context = Unmanaged.passUnretained(self).toOpaque()
        var code = feedpipe_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        if code == CURLM_OK { code = feedpipe_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context) }
        if code == CURLM_OK {
            code = feedpipe_curl_multi_setopt_socket_function(multi) { _, socket, what, context, _ in
                let watch = Unmanaged<SocketWatch>.fromOpaque(context!).takeUnretainedValue()
                switch what {
                case CURL_POLL_IN: watch.sockets[socket] = Int16(POLLIN)
                case CURL_POLL_OUT: watch.sockets[socket] = Int16(POLLOUT)
                case CURL_POLL_INOUT: watch.sockets[socket] = Int16(POLLIN | POLLOUT)
                default: watch.sockets[socket] = nil
                }
                return 0
            }
        }
        if code == CURLM_OK {
            code = feedpipe_curl_multi_setopt_timer_function(multi) { _, milliseconds, context in
                let watch = Unmanaged<SocketWatch>.fromOpaque(context!).takeUnretainedValue()
                watch.deadline =
                    milliseconds < 0
                    ? nil : DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
                return 0
            }
        }
        return code
    }

    /// Ends a `wait` early; callable from any thread. A byte the full pipe cannot take is not needed: one
    /// is already waiting there.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Waits up to `milliseconds` for a watched socket to be ready or for `wake`; the ready sockets, with the
    /// event bits libcurl is to be given for each.
    func wait(milliseconds: Int) -> Result<[(socket: curl_socket_t, events: Int32)], WaitFailure> {
        var watched = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        watched.reserveCapacity(sockets.count + 1)
        for (socket, events) in sockets { watched.append(pollfd(fd: socket, events: events, revents: 0)) }
        guard poll(&watched, nfds_t(watched.count), Int32(milliseconds)) >= 0 else {
            return errno == EINTR ? .success([]) : .failure(WaitFailure(reason: String(cString: strerror(errno))))
        }
        if watched[0].revents != 0 {
            var drained = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &drained, drained.count) > 0 {}
        }
        var ready: [(socket: curl_socket_t, events: Int32)] = []
        for entry in watched.dropFirst() where entry.revents != 0 {
            var events: Int32 = 0
            // A closed connection reads as its end: libcurl learns of it by reading.
            if entry.revents & Int16(POLLIN | POLLHUP) != 0 { events |= CURL_CSELECT_IN }
            if entry.revents & Int16(POLLOUT) != 0 { events |= CURL_CSELECT_OUT }
            if entry.revents & Int16(POLLERR | POLLNVAL) != 0 { events |= CURL_CSELECT_ERR }
            ready.append((entry.fd, events))
        }
        return .success(ready)
    }

    /// Why the wait failed, in the system's words.
    struct WaitFailure: Error {
        let reason: String
    }
}
