//! The REST fallback of a WebSocket feed: while the socket is down, poll the exchange's REST
//! ticker and book for this feed's markets; the reconnect loop keeps probing the socket, and the
//! first market data on it ends the polling. Both changes are events.

use actix::{ActorFutureExt, AsyncContext, Context, WrapFuture};
use premia_events::event::Event;

use super::FeedActor;
use crate::exchanges::FrameClass;
use crate::messages::{Level, Notify};

impl FeedActor {
    /// The socket is down: poll REST (if configured) until it is healthy again.
    pub(super) fn enter_fallback(&mut self, reason: &str) {
        if self.in_fallback
            || self.settings.rest.is_none()
            || self.draining
            || self.dormant
            || self.polling
        {
            return;
        }
        self.in_fallback = true;
        tracing::warn!(exchange = %self.exchange, reason, "Socket down: polling REST");
        self.metrics
            .feed_fallback
            .with_label_values(&[self.exchange.as_str()])
            .set(1);
        self.status_event(
            Event::FeedFallbackEntered,
            format!("socket down ({reason}); polling REST"),
        );
        self.notify.do_send(Notify {
            level: Level::Warning,
            topic: "feed_fallback_entered".into(),
            text: format!("{}: socket down ({reason}); polling REST", self.exchange),
        });
    }

    /// Market data flows on the socket again: stop polling.
    pub(super) fn leave_fallback(&mut self) {
        self.in_fallback = false;
        tracing::info!(exchange = %self.exchange, "Socket healthy again: REST polling stopped");
        self.metrics
            .feed_fallback
            .with_label_values(&[self.exchange.as_str()])
            .set(0);
        self.status_event(Event::FeedFallbackLeft, "socket healthy again".into());
    }

    /// One round of the codec's REST requests; the answers are decoded on the actor.
    pub(super) fn poll_rest(&mut self, ctx: &mut Context<Self>) {
        if !self.in_fallback || self.polling_rest || self.draining {
            return;
        }
        let Some(rest) = self.settings.rest.clone() else {
            return;
        };
        let client = match &self.http {
            Some(client) => client.clone(),
            None => match reqwest::Client::builder().timeout(rest.timeout).build() {
                Ok(client) => {
                    self.http = Some(client.clone());
                    client
                }
                Err(error) => {
                    tracing::error!(%error, "No HTTP client for the REST fallback");
                    return;
                }
            },
        };
        let mut requests = self.codec.rest_ticker_requests();
        requests.extend(self.codec.rest_book_requests());
        self.polling_rest = true;
        let base = rest.base.trim_end_matches('/').to_owned();
        let fetch = async move {
            let mut answers = Vec::with_capacity(requests.len());
            for request in requests {
                let url = format!("{base}{request}");
                let answer = match client.get(&url).send().await {
                    Ok(response) => {
                        let status = response.status();
                        match response.bytes().await {
                            Ok(body) if status.is_success() || !body.is_empty() => {
                                Ok((status.as_u16(), body.to_vec()))
                            }
                            Ok(_) => Err(format!("HTTP {status}")),
                            Err(error) => Err(error.to_string()),
                        }
                    }
                    Err(error) => Err(error.to_string()),
                };
                answers.push((request, answer));
            }
            answers
        };
        ctx.spawn(fetch.into_actor(self).map(|answers, act, _| {
            act.polling_rest = false;
            if !act.in_fallback {
                return; // the socket came back meanwhile; its data is fresher
            }
            let exchange = act.exchange.as_str();
            for (request, answer) in answers {
                match answer {
                    Ok((status, body)) => {
                        if status == 429 {
                            act.trip(&format!("REST {request}: HTTP 429 rate limited"));
                        }
                        let received = act.journal.clock().now();
                        match act.codec.decode_rest_for(&request, &body, received, &mut act.buf) {
                            Ok(FrameClass::Data) => {
                                act.metrics.feed_rest_polls.with_label_values(&[exchange, "ok"]).inc();
                                act.publish();
                            }
                            Ok(other) => {
                                act.buf.clear();
                                act.metrics.feed_rest_polls.with_label_values(&[exchange, "error"]).inc();
                                tracing::warn!(exchange, %request, status, class = ?other, "REST answer without data");
                            }
                            Err(error) => {
                                act.buf.clear();
                                act.metrics.feed_decode_errors.with_label_values(&[exchange]).inc();
                                tracing::warn!(%error, %request, "REST answer not decoded");
                            }
                        }
                    }
                    Err(error) => {
                        act.metrics.feed_rest_polls.with_label_values(&[exchange, "error"]).inc();
                        tracing::warn!(exchange, %request, %error, "REST poll failed");
                    }
                }
            }
        }));
    }
}
