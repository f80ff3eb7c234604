package dev.bulwark.exchange;

/** The HTTP version a request arrived with. */
public enum HttpProtocol {
  HTTP_1_0,
  HTTP_1_1,
  HTTP_2
}
