package dev.bulwark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the {@code bulwark} command line in-process: its exit status, stdout and stderr. */
public record CliRun(int status, String out, String err) {

  /** Runs {@code bulwark ARGS} with its own output and error streams. */
  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(status, out.toString(), err.toString());
  }

  /**
   * Runs {@code bulwark ARGS} with its output and error lines both written to {@code outAndErr}, in
   * the order a terminal shows them; returns the exit status.
   */
  public static int run(StringWriter outAndErr, String... args) {
    PrintWriter both = new PrintWriter(outAndErr, true);
    return execute(both, both, args);
  }

  private static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }
}
