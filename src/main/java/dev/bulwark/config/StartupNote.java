package dev.bulwark.config;

/** A setting that says in one line, when the gateway starts, what it will do. */
public interface StartupNote {
  /** Returns the line, such as "automatic bans on: ...". */
  String startupNote();
}
