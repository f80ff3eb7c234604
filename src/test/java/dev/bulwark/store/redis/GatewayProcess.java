package dev.bulwark.store.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in its own JVM ({@code bulwark run -c FILE} on the test class path), for tests that
 * need a second gateway process rather than a second gateway in this one.
 */
final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final int httpsPort;
  private final int adminPort;
  private final Path log;

  private GatewayProcess(Process process, int httpsPort, int adminPort, Path log) {
    this.process = process;
    this.httpsPort = httpsPort;
    this.adminPort = adminPort;
    this.log = log;
  }

  /** Starts {@code bulwark run} on a configuration whose listeners say port 0; waits until up. */
  static GatewayProcess start(String yamlWithPortZero, Path dir) throws Exception {
    return start(yamlWithPortZero, dir, java.util.Map.of());
  }

  /**
   * Starts {@code bulwark run} on a configuration whose listeners say port 0, with these variables
   * added to its environment (for {@code ${env:…}} secret references); waits until up.
   */
  static GatewayProcess start(String yamlWithPortZero, Path dir, java.util.Map<String, String> env)
      throws Exception {
    int https = freePort();
    int admin = freePort();
    String yaml =
        yamlWithPortZero
            .replace("https: 127.0.0.1:0", "https: 127.0.0.1:" + https)
            .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + admin)
            .replace("  http: 127.0.0.1:0\n", "");
    Path config = dir.resolve("process.yaml");
    Files.writeString(config, yaml);
    Path log = dir.resolve("process.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.bulwark.cli.Main",
                    "run",
                    "--no-watch",
                    "-c",
                    config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    GatewayProcess g = new GatewayProcess(p, https, admin, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("gateway process exited: " + Files.readString(log));
      }
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", admin)) {
        return g;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    g.close();
    throw new IllegalStateException("gateway process did not start: " + Files.readString(log));
  }

  int httpsPort() {
    return httpsPort;
  }

  int adminPort() {
    return adminPort;
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
