package dev.bulwark.observe;

/** Where structured log lines (access and security events, one JSON object each) go. */
public interface LogSink {
  /** Writes one complete JSON line (without the newline); must not block the caller. */
  void write(String jsonLine);

  /**
   * Returns how many lines were dropped because the sink could not keep up (0 if it never drops).
   */
  default long dropped() {
    return 0;
  }
}
