package dev.bulwark.cli;

import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Prints Bulwark's version and the versions of the libraries a security advisory would name (TLS
 * provider, HTTP stack, YAML), so an operator can check an advisory in one command.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
  private static final String[][] LIBRARIES = {
    {"io.vertx", "vertx-core"},
    {"io.netty", "netty-codec-http"},
    {"io.netty", "netty-codec-http2"},
    {"io.netty", "netty-handler"},
    {"io.netty", "netty-tcnative-classes"},
    {"com.fasterxml.jackson.core", "jackson-databind"},
    {"com.fasterxml.jackson.dataformat", "jackson-dataformat-yaml"},
    {"org.yaml", "snakeyaml"},
  };

  @Override
  public String[] getVersion() {
    List<String> lines = new ArrayList<>();
    lines.add("bulwark " + implementationVersion());
    lines.add(
        "  java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    lines.add("  tls  " + tlsProvider());
    for (String[] lib : LIBRARIES) {
      lines.add("  " + lib[1] + " " + libraryVersion(lib[0], lib[1]));
    }
    return lines.toArray(new String[0]);
  }

  private static String implementationVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev (not from a packaged jar)" : v;
  }

  private static String tlsProvider() {
    try {
      if (OpenSsl.isAvailable()) {
        return OpenSsl.versionString() + " via netty-tcnative (default engine)";
      }
      return "JDK SSLEngine (netty-tcnative unavailable: "
          + OpenSsl.unavailabilityCause().getClass().getSimpleName()
          + ")";
    } catch (LinkageError e) {
      return "JDK SSLEngine";
    }
  }

  static String libraryVersion(String group, String artifact) {
    String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = VersionProvider.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
