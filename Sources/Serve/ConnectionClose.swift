import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Closes a connection after the response to a request that did not ask to keep it open: an HTTP/1.0 request
/// without `Connection: keep-alive`, or an HTTP/1.1 one with `Connection: close` (RFC 9112 §9.3). The HTTP
/// types Hummingbird hands its router carry no version, so this is decided on the HTTP/1 parts below them.
final class ConnectionCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Whether each request read and not yet answered keeps the connection open, oldest first.
    private var keepAlive: [Bool] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { keepAlive.append(head.isKeepAlive) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let closes = keepAlive.first == false
        switch unwrapOutboundIn(data) {
        case .head(var head) where closes && !head.status.isInformational:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where !keepAlive.isEmpty:
            keepAlive.removeFirst()
            guard closes else { return context.write(data, promise: promise) }
            let loopBound = context.loopBound
            context.writeAndFlush(data).always { _ in loopBound.value.close(promise: nil) }.cascade(to: promise)
        default:
            context.write(data, promise: promise)
        }
    }
}

extension HTTPResponseStatus {
    fileprivate var isInformational: Bool { (100..<200).contains(code) }
}

/// Hummingbird's HTTP/1 channel with `ConnectionCloseHandler` placed where it sees HTTP/1 parts.
struct ClosingHTTP1Channel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>
    let base: HTTP1Channel
    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let codec = try channel.pipeline.syncOperations.context(handlerType: HTTP1ToHTTPServerCodec.self)
            try channel.pipeline.syncOperations.addHandler(ConnectionCloseHandler(), position: .before(codec.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 that closes connections whose requests asked for it, with an idle timeout.
    static func closingHTTP1(idleTimeout: TimeAmount) -> HTTPServerBuilder {
        .init { responder in
            ClosingHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)))
        }
    }
}
