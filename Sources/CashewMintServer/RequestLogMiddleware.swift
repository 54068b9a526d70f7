import Hummingbird
import Logging

/// Logs each request once it is answered: method, route pattern (`/v1/mint/quote/:method/:quote`), status and
/// duration. The pattern, not the path: paths carry quote IDs, which are bearer secrets.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, started)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context, status: error.status.code, started)
            throw error
        } catch {
            log(request, context, status: 500, started)
            throw error
        }
    }

    func log(_ request: Request, _ context: Context, status: Int, _ started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        context.logger.log(level: level, "request", metadata: [
            "method": "\(request.method)", "route": "\(context.endpointPath ?? "unmatched")", "status": "\(status)",
            "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
    }
}
