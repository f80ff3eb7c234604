package dev.bulwark.store.redis;

import dev.bulwark.store.AccountStore;
import dev.bulwark.store.AccountsUnavailable;
import dev.bulwark.store.BanStore;
import dev.bulwark.store.ConnectionCounts;
import dev.bulwark.store.IdempotencyStore;
import dev.bulwark.store.NonceStore;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.RateLimitStore;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.SigningKeyStore;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The cluster backend: every capability shared through Redis, over one multiplexed Lettuce
 * connection (plus one connection per event loop for rate limits), connected in the background (a
 * gateway starts even while Redis is down) and reconnected by itself. While it is down every
 * operation fails at once (commands are rejected, not queued), and each one is bounded by the
 * configured timeout, so a request never waits longer than that on Redis.
 */
public final class RedisStore implements Stores {
  private static final Logger LOG = Logger.getLogger(RedisStore.class.getName());
  private static final long RETRY_MS = 1000;

  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final StoreHealth health;
  private final AtomicReference<@Nullable StatefulRedisConnection<byte[], byte[]>> connection =
      new AtomicReference<>();
  private final RedisRateLimitStore rateLimits;
  private final RedisBanStore bans;
  private final RedisConnectionCounts connections;
  private final RedisNonceStore nonces = new RedisNonceStore(this);
  private final RedisIdempotencyStore idempotency;
  private final RedisRefreshTokenStore refreshTokens;
  private final RedisSigningKeyStore signingKeys;
  private volatile boolean closed;

  /** The prefix of the keys of the identity capabilities (refresh tokens, signing keys). */
  public static final String KEY_PREFIX = "bulwark:";

  private RedisStore(StoreConfig config, long maxBans, StoreHealth health, String keyPrefix) {
    this.health = health;
    Duration timeout = config.timeout();
    this.uri = RedisURI.create(Objects.requireNonNull(config.redis()));
    uri.setTimeout(timeout);
    this.resources =
        DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(
                SocketOptions.builder()
                    .connectTimeout(Duration.ofMillis(Math.max(100, timeout.toMillis() * 4)))
                    .build())
            .build());
    this.rateLimits =
        new RedisRateLimitStore(
            this, new EventLoopRedis(Objects.requireNonNull(config.redis()), timeout));
    this.bans = new RedisBanStore(this, maxBans);
    this.connections = new RedisConnectionCounts(this);
    this.idempotency = new RedisIdempotencyStore(this, RedisIdempotencyStore.PREFIX);
    this.refreshTokens = new RedisRefreshTokenStore(this, keyPrefix, config.maxKeys());
    this.signingKeys = new RedisSigningKeyStore(this, keyPrefix);
  }

  /** Creates the store and starts connecting in the background. */
  public static RedisStore connect(StoreConfig config, long maxBans, StoreHealth health) {
    return connect(config, maxBans, health, KEY_PREFIX);
  }

  /**
   * Creates the store with its identity capabilities' keys under {@code keyPrefix} (tests share one
   * Redis without sharing state) and starts connecting in the background.
   */
  public static RedisStore connect(
      StoreConfig config, long maxBans, StoreHealth health, String keyPrefix) {
    RedisStore store = new RedisStore(config, maxBans, health, keyPrefix);
    store.tryConnect();
    store.bans.startSync(store.resources.eventExecutorGroup());
    store.refreshTokens.startSync(store.resources.eventExecutorGroup());
    store.signingKeys.startSync(store.resources.eventExecutorGroup());
    store.connections.start(store.resources.eventExecutorGroup());
    return store;
  }

  private void tryConnect() {
    if (closed) {
      return;
    }
    client
        .connectAsync(ByteArrayCodec.INSTANCE, uri)
        .whenComplete(
            (conn, failure) -> {
              if (failure != null || conn == null) {
                health.failed("connect", failure == null ? new IllegalStateException() : failure);
                resources
                    .eventExecutorGroup()
                    .schedule(this::tryConnect, RETRY_MS, TimeUnit.MILLISECONDS);
                return;
              }
              if (closed) {
                conn.closeAsync();
                return;
              }
              connection.set(conn);
              health.ok();
              LOG.info("redis store connected: " + uri.getHost() + ":" + uri.getPort());
            });
  }

  /** Returns the connection, or null while the first connection has not been made. */
  @Nullable StatefulRedisConnection<byte[], byte[]> connection() {
    return connection.get();
  }

  @Override
  public StoreHealth health() {
    return health;
  }

  @Override
  public RateLimitStore rateLimits() {
    return rateLimits;
  }

  @Override
  public BanStore bans() {
    return bans;
  }

  @Override
  public NonceStore nonces() {
    return nonces;
  }

  @Override
  public IdempotencyStore idempotency() {
    return idempotency;
  }

  @Override
  public RefreshTokenStore refreshTokens() {
    return refreshTokens;
  }

  @Override
  public SigningKeyStore signingKeys() {
    return signingKeys;
  }

  @Override
  public ConnectionCounts connections() {
    return connections;
  }

  /** Returns no accounts: Redis holds short-lived state; accounts need store.postgres beside it. */
  @Override
  public AccountStore accounts() {
    return AccountsUnavailable.accounts();
  }

  @Override
  public OrganisationStore organisations() {
    return AccountsUnavailable.organisations();
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public void close() {
    closed = true;
    bans.stopSync();
    refreshTokens.stopSync();
    signingKeys.stopSync();
    connections.stop();
    StatefulRedisConnection<byte[], byte[]> c = connection.getAndSet(null);
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
