//! The connection loop: HTTP/1.1 with a deadline for each request's head, and a shutdown that
//! waits for requests in flight but never for a client that is slow to send one.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::watch;
use tower::ServiceExt as _;

use crate::WebOptions;

/// Serves `router` on `listener` until `shutdown` completes. Requests in flight then get up to
/// the request timeout to finish; idle connections, and connections still sending a request head,
/// do not hold the shutdown up.
///
/// A connection must send each request's head (its request line and headers) within
/// `options.header_read_timeout`, counted from when it opens or its last response ends — so a
/// client that sends half a header and waits, or one that keeps an idle connection, is closed.
/// HTTP/1.1 only: the server sits behind a TLS-terminating proxy or is reached directly, and
/// neither needs cleartext HTTP/2.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    options: &WebOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let connections = GracefulShutdown::new();
    let (in_flight, _) = watch::channel(0_usize);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors and the like pass; back off instead of spinning.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small responses go out at once instead of waiting on Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let in_flight = in_flight.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let request_in_flight = InFlight::start(&in_flight);
            let response = router.clone().oneshot(request);
            async move {
                let response = response.await;
                drop(request_in_flight);
                response
            }
        });
        let connection = connections.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let mut requests = in_flight.subscribe();
    let requests_answered = async {
        let _ = requests.wait_for(|&count| count == 0).await;
        // Time for the last responses to reach their clients.
        tokio::time::sleep(FLUSH_GRACE).await;
    };
    tokio::select! {
        () = connections.shutdown() => {}
        () = requests_answered => {}
        () = tokio::time::sleep(options.request_timeout) => {
            tracing::warn!("requests still running after the request timeout were dropped");
        }
    }
    Ok(())
}

/// After the last request in flight is answered, how long its connection may take to send it.
const FLUSH_GRACE: Duration = Duration::from_secs(1);

/// One request being answered, counted while it lives.
struct InFlight(watch::Sender<usize>);

impl InFlight {
    fn start(count: &watch::Sender<usize>) -> Self {
        count.send_modify(|count| *count += 1);
        Self(count.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|count| *count -= 1);
    }
}
