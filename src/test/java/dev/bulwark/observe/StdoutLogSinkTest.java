package dev.bulwark.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StdoutLogSinkTest {
  /** A synchronised capture, since the writer thread writes while the test reads. */
  private static final class Capture extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void linesAppearSoonWithoutAnyWakeUp() throws Exception {
    Capture out = new Capture();
    try (StdoutLogSink sink = new StdoutLogSink(out)) {
      sink.write("{\"a\":1}");
      sink.write("{\"b\":\"é\"}");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (!out.text().contains("{\"b\":\"é\"}\n") && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(out.text()).isEqualTo("{\"a\":1}\n{\"b\":\"é\"}\n");
    }
  }

  @Test
  void aFullQueueDropsAndCountsRatherThanBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    OutputStream stalled =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
          }
        };
    StdoutLogSink sink = new StdoutLogSink(stalled);
    long start = System.nanoTime();
    for (int i = 0; i < 200_000; i++) {
      sink.write("x");
    }
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    assertThat(sink.dropped()).isGreaterThan(0);
    release.countDown();
    sink.close();
  }

  @Test
  void aBrokenOutputIsCountedWithoutSpinning() throws Exception {
    java.util.concurrent.atomic.AtomicLong attempts = new java.util.concurrent.atomic.AtomicLong();
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            attempts.incrementAndGet();
            throw new IOException("EPIPE");
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            write(0);
          }

          @Override
          public void flush() throws IOException {
            write(0);
          }
        };
    StdoutLogSink sink = new StdoutLogSink(broken);
    // A few lines fit the 64 KiB buffer, so the failure comes from the flush; many more overflow
    // it, so writes fail too.
    for (int i = 0; i < 10; i++) {
      sink.write("small");
    }
    Thread.sleep(200);
    for (int i = 0; i < 200_000; i++) {
      sink.write("x".repeat(100));
    }
    Thread.sleep(500);
    sink.close();
    assertThat(sink.dropped()).isGreaterThan(0);
    // A loop that retried without waiting would make millions of attempts in half a second.
    assertThat(attempts.get()).isLessThan(5_000);
  }

  @Test
  void closeWritesWhatIsQueued() throws Exception {
    Capture out = new Capture();
    StdoutLogSink sink = new StdoutLogSink(out);
    for (int i = 0; i < 5000; i++) {
      sink.write("l" + i);
    }
    sink.close();
    String text = out.text();
    assertThat(text).startsWith("l0\n").endsWith("l4999\n");
    assertThat(text.split("\n")).hasSize(5000);
  }
}
