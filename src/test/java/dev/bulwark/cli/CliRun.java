package dev.bulwark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the {@code bulwark} command line in-process: its exit status, stdout and stderr. */
record CliRun(int status, String out, String err) {

  /** Runs {@code bulwark ARGS} with its own output and error streams. */
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new CliRun(status, out.toString(), err.toString());
  }
}
