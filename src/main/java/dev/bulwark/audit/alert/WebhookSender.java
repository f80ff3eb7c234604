package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Posts alerts to one webhook, signed (see {@link WebhookSignature}), from a bounded queue on its
 * own thread: {@link #send} never blocks (a full queue drops the alert, counts it, and logs at most
 * one line per ten seconds). Each alert is tried up to {@code maxAttempts} times, each attempt
 * bounded by the webhook's timeout; an answer of {@code 408}, {@code 429} or {@code 5xx}, a timeout
 * or a connection failure is retried after an exponential back-off with jitter; another answer
 * outside {@code 2xx} is final. An alert not delivered is dropped and counted.
 */
public final class WebhookSender implements AlertDestination, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WebhookSender.class.getName());
  private static final long PROBLEM_LOG_MILLIS = 10_000;

  /** The outcome of one attempt. */
  private enum Outcome {
    DELIVERED,
    RETRY,
    FINAL
  }

  private final WebhookSettings hook;
  private final AlertSettings.Delivery delivery;
  private final Clock clock;
  private final BlockingQueue<Alert> queue;
  private final ExecutorService io;
  private final HttpClient client;
  private final Thread thread;
  private final Counter delivered;
  private final Counter retries;
  private final Counter droppedFull;
  private final Counter droppedFailed;
  private final AtomicLong lastProblemLog = new AtomicLong(Long.MIN_VALUE / 2);
  private volatile boolean running = true;
  private String lastProblem = "";

  /** A sender to {@code hook}, the {@code index}th webhook (its metrics label), started. */
  public WebhookSender(
      WebhookSettings hook, int index, AlertSettings.Delivery delivery, MeterRegistry registry) {
    this(hook, index, delivery, registry, Clock.systemUTC());
  }

  WebhookSender(
      WebhookSettings hook,
      int index,
      AlertSettings.Delivery delivery,
      MeterRegistry registry,
      Clock clock) {
    this.hook = requireNonNull(hook, "hook");
    this.delivery = requireNonNull(delivery, "delivery");
    this.clock = requireNonNull(clock, "clock");
    this.queue = new ArrayBlockingQueue<>(delivery.queue());
    this.io =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "bulwark-alert-webhook-io-" + index);
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(hook.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .executor(io)
            .build();
    String label = Integer.toString(index);
    this.delivered = counter(registry, "bulwark_alert_webhook_delivered", label, null);
    this.retries = counter(registry, "bulwark_alert_webhook_retries", label, null);
    this.droppedFull = counter(registry, "bulwark_alert_webhook_dropped", label, "queue-full");
    this.droppedFailed = counter(registry, "bulwark_alert_webhook_dropped", label, "failed");
    Gauge.builder("bulwark_alert_webhook_queue_depth", queue, BlockingQueue::size)
        .tag("webhook", label)
        .description("Alerts waiting to be posted to a webhook")
        .register(registry);
    this.thread = new Thread(this::run, "bulwark-alert-webhook-" + index);
    thread.setDaemon(true);
    thread.start();
  }

  private static Counter counter(
      MeterRegistry registry,
      String name,
      String webhook,
      @org.jspecify.annotations.Nullable String reason) {
    Counter.Builder b = Counter.builder(name).tag("webhook", webhook);
    if (reason != null) {
      b.tag("reason", reason);
    }
    return b.description(
            switch (name) {
              case "bulwark_alert_webhook_delivered" -> "Alerts a webhook accepted (2xx)";
              case "bulwark_alert_webhook_retries" ->
                  "Webhook attempts that failed and were retried";
              default ->
                  "Alerts not delivered to a webhook: its queue was full, or every attempt failed";
            })
        .register(registry);
  }

  /** Queues the alert; drops and counts it when the queue is full. Never blocks. */
  @Override
  public void send(Alert alert) {
    if (!running || !queue.offer(alert)) {
      droppedFull.increment();
      problem(
          "queue full ("
              + delivery.queue()
              + " alerts); dropped alert "
              + alert.id()
              + " ("
              + alert.rule().configName()
              + ")");
    }
  }

  /** Returns how many alerts wait to be posted. */
  public int queued() {
    return queue.size();
  }

  /** Returns how many alerts the webhook accepted. */
  public long delivered() {
    return (long) delivered.count();
  }

  /** Returns how many alerts were dropped: queue full, or every attempt failed. */
  public long dropped() {
    return (long) (droppedFull.count() + droppedFailed.count());
  }

  private void run() {
    while (running) {
      Alert a;
      try {
        a = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (a != null) {
        try {
          deliver(a);
        } catch (InterruptedException e) {
          break;
        }
      }
    }
  }

  private void deliver(Alert alert) throws InterruptedException {
    byte[] body = AlertJson.body(alert).getBytes(StandardCharsets.US_ASCII);
    for (int attempt = 1; attempt <= delivery.maxAttempts(); attempt++) {
      Outcome o = attempt(alert, body);
      if (o == Outcome.DELIVERED) {
        delivered.increment();
        return;
      }
      if (o == Outcome.FINAL) {
        break;
      }
      if (attempt < delivery.maxAttempts()) {
        retries.increment();
        Thread.sleep(backoff(attempt).toMillis());
      }
    }
    droppedFailed.increment();
    problem(
        "alert "
            + alert.id()
            + " ("
            + alert.rule().configName()
            + ") not delivered: "
            + lastProblem);
  }

  /** Returns the wait after the {@code attempt}th failure: doubling, capped, half of it random. */
  Duration backoff(int attempt) {
    long base = delivery.backoff().toMillis();
    long max = delivery.maxBackoff().toMillis();
    long d = attempt >= 31 ? max : Math.min(max, base << (attempt - 1));
    long half = d / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(d - half + 1));
  }

  private Outcome attempt(Alert alert, byte[] body) throws InterruptedException {
    long t = clock.millis() / 1000;
    HttpRequest.Builder b =
        HttpRequest.newBuilder(hook.url())
            .timeout(hook.timeout())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, String> h : hook.headers().entrySet()) {
      b.header(h.getKey(), h.getValue());
    }
    b.header("Content-Type", "application/json")
        .header("User-Agent", "bulwark-alerts")
        .header("Bulwark-Alert-Id", alert.id())
        .header(WebhookSignature.HEADER, WebhookSignature.header(hook.secret(), t, body));
    CompletableFuture<HttpResponse<Void>> sent =
        client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding());
    try {
      int status = sent.get(hook.timeout().toMillis(), TimeUnit.MILLISECONDS).statusCode();
      if (status >= 200 && status < 300) {
        return Outcome.DELIVERED;
      }
      lastProblem = "answered " + status;
      return status == 408 || status == 429 || status >= 500 ? Outcome.RETRY : Outcome.FINAL;
    } catch (TimeoutException e) {
      sent.cancel(true);
      lastProblem = "no answer within " + AlertJson.duration(hook.timeout());
      return Outcome.RETRY;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      lastProblem =
          c instanceof HttpTimeoutException
              ? "no answer within " + AlertJson.duration(hook.timeout())
              : c instanceof IOException
                  ? "the connection failed or was refused"
                  : "the request could not be made";
      return Outcome.RETRY;
    } catch (InterruptedException e) {
      sent.cancel(true);
      throw e;
    }
  }

  private void problem(String what) {
    long now = System.currentTimeMillis();
    long last = lastProblemLog.get();
    if (now - last >= PROBLEM_LOG_MILLIS && lastProblemLog.compareAndSet(last, now)) {
      LOG.warning(
          "alert webhook "
              + hook.safeUrl()
              + ": "
              + what
              + " ("
              + dropped()
              + " dropped so far; at most one line per 10s)");
    }
  }

  /** Stops: queued alerts not yet sent are dropped (an alert is not worth holding a shutdown). */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    io.shutdownNow();
  }
}
