package dev.bulwark.exchange;

/** The upstream leg of an exchange, as far as the exchange needs to steer it. */
public interface Forwarding {
  /** Stops forwarding and answers with the denial (or breaks a response already started). */
  void abort(Denial denial);

  /** Tells the upstream leg that the client has gone away. */
  void clientGone();

  /** Returns whether the client's request body has been read to its end. */
  boolean requestEnded();
}
