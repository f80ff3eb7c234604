package dev.bulwark.store.redis;

import dev.bulwark.store.RefreshFamily;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.Rotation;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Refresh-token families shared through Redis: a hash per family (its token hashes, lifetimes and
 * metadata, expiring when the family ends), a set of session ids per account, and a sorted set of
 * revoked sessions scored by when they may be forgotten, with a version counter. Every decision on
 * a family is one Lua script, so parallel rotations on any number of gateways have one winner and a
 * reuse seen by any gateway revokes the family for all. Each gateway keeps a local copy of the
 * revoked sessions, reloaded whenever the version moves (polled every half second).
 *
 * <p>Redis holds token hashes, never tokens; the client address and user agent are stored as sent
 * (protect Redis as the sessions it holds deserve: network isolation, ACL, TLS).
 */
final class RedisRefreshTokenStore implements RefreshTokenStore {
  private static final long SYNC_MS = 500;

  private static final String CREATE =
      "local live = {} "
          + "for _, sid in ipairs(redis.call('SMEMBERS', KEYS[2])) do "
          + "  local c = redis.call('HGET', ARGV[1] .. 'rt:f:' .. sid, 'created') "
          + "  if c then table.insert(live, {tonumber(c), sid}) "
          + "  else redis.call('SREM', KEYS[2], sid) end "
          + "end "
          + "table.sort(live, function(a, b) return a[1] < b[1] end) "
          + "local excess = #live - tonumber(ARGV[2]) + 1 "
          + "local gone = {} "
          + "for i = 1, excess do "
          + "  local sid = live[i][2] "
          + "  redis.call('DEL', ARGV[1] .. 'rt:f:' .. sid) redis.call('SREM', KEYS[2], sid) "
          + "  redis.call('ZADD', KEYS[3], tonumber(ARGV[3]) + tonumber(ARGV[4]), sid) "
          + "  table.insert(gone, sid) "
          + "end "
          + "if #gone > 0 then redis.call('INCR', KEYS[4]) end "
          + "local fields = {} for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end "
          + "redis.call('HSET', KEYS[1], unpack(fields)) "
          + "redis.call('PEXPIREAT', KEYS[1], ARGV[5]) "
          + "redis.call('SADD', KEYS[2], ARGV[7]) "
          + "redis.call('PEXPIRE', KEYS[2], ARGV[6]) "
          + "return gone";

  private static final String ROTATE =
      "local f = redis.call('HGETALL', KEYS[1]) "
          + "if #f == 0 then return {'unknown'} end "
          + "local h = {} for i = 1, #f, 2 do h[f[i]] = f[i + 1] end "
          + "local now = tonumber(ARGV[4]) "
          + "local akey = ARGV[8] .. 'rt:a:' .. h['acct'] "
          + "if now >= math.min(tonumber(h['abs']), tonumber(h['last']) + tonumber(h['idle'])) then "
          + "  redis.call('DEL', KEYS[1]) redis.call('SREM', akey, ARGV[9]) return {'ended'} "
          + "end "
          + "if ARGV[1] == h['cur'] then "
          + "  redis.call('HSET', KEYS[1], 'prev', h['cur'], 'cur', ARGV[2], 'nonce', ARGV[3],"
          + "    'rot', ARGV[4], 'last', ARGV[4], 'gen', tostring(tonumber(h['gen']) + 1),"
          + "    'addr', ARGV[7]) "
          + "  redis.call('PEXPIREAT', KEYS[1],"
          + "    math.min(tonumber(h['abs']), now + tonumber(h['idle']))) "
          + "  return {'exchanged', redis.call('HGETALL', KEYS[1])} "
          + "end "
          + "local grace = tonumber(ARGV[5]) "
          + "if grace > 0 and h['prev'] and ARGV[1] == h['prev']"
          + "    and now - tonumber(h['rot']) <= grace then "
          + "  return {'repeated', f} "
          + "end "
          + "redis.call('DEL', KEYS[1]) redis.call('SREM', akey, ARGV[9]) "
          + "redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[9]) "
          + "redis.call('INCR', KEYS[3]) "
          + "return {'reused', f}";

  private static final String REVOKE =
      "local acct = redis.call('HGET', KEYS[1], 'acct') "
          + "if not acct then return 0 end "
          + "redis.call('DEL', KEYS[1]) redis.call('SREM', ARGV[1] .. 'rt:a:' .. acct, ARGV[2]) "
          + "redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2]) redis.call('INCR', KEYS[3]) "
          + "return 1";

  private static final String REVOKE_ACCOUNT =
      "local gone = {} "
          + "for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
          + "  if redis.call('DEL', ARGV[1] .. 'rt:f:' .. sid) == 1 then "
          + "    redis.call('ZADD', KEYS[2], ARGV[2], sid) table.insert(gone, sid) "
          + "  end "
          + "end "
          + "redis.call('DEL', KEYS[1]) "
          + "if #gone > 0 then redis.call('INCR', KEYS[3]) end "
          + "return gone";

  private static final String SESSIONS =
      "local out = {} "
          + "for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
          + "  local f = redis.call('HGETALL', ARGV[1] .. 'rt:f:' .. sid) "
          + "  if #f > 0 then table.insert(out, f) end "
          + "end "
          + "return out";

  private final RedisStore store;
  private final String prefix;
  private final long max;
  private final byte[] revokedKey;
  private final byte[] versionKey;
  private volatile Map<String, Long> local = Map.of();
  private volatile @Nullable String version;
  private volatile @Nullable ScheduledFuture<?> sync;

  RedisRefreshTokenStore(RedisStore store, String prefix, long max) {
    this.store = store;
    this.prefix = prefix;
    this.max = max;
    this.revokedKey = bytes(prefix + "rt:revoked");
    this.versionKey = bytes(prefix + "rt:revoked:version");
  }

  void startSync(EventExecutorGroup executor) {
    sync = executor.scheduleAtFixedRate(this::refresh, 0, SYNC_MS, TimeUnit.MILLISECONDS);
  }

  void stopSync() {
    ScheduledFuture<?> s = sync;
    if (s != null) {
      s.cancel(false);
    }
  }

  private byte[] family(String sid) {
    return bytes(prefix + "rt:f:" + sid);
  }

  private byte[] account(String account) {
    return bytes(prefix + "rt:a:" + account);
  }

  @Override
  public CompletionStage<RefreshFamily> create(
      RefreshFamily f, int maxPerAccount, Duration keepRevoked) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("session-create");
    }
    List<byte[]> args = new ArrayList<>();
    args.add(bytes(prefix));
    args.add(bytes(String.valueOf(Math.max(1, maxPerAccount))));
    args.add(bytes(String.valueOf(f.createdMillis())));
    args.add(bytes(String.valueOf(keepRevoked.toMillis())));
    args.add(bytes(String.valueOf(f.endsAtMillis())));
    args.add(bytes(String.valueOf(Math.max(1, f.absoluteExpiryMillis() - f.createdMillis()))));
    args.add(bytes(f.sid()));
    for (Map.Entry<String, String> e : encode(f).entrySet()) {
      args.add(bytes(e.getKey()));
      args.add(bytes(e.getValue()));
    }
    long until = f.createdMillis() + keepRevoked.toMillis();
    return redis
        .<List<Object>>eval(
            CREATE,
            ScriptOutputType.MULTI,
            new byte[][] {family(f.sid()), account(f.account()), revokedKey, versionKey},
            args.toArray(new byte[0][]))
        .thenApply(
            gone -> {
              for (Object sid : gone) {
                remember(text(sid), until);
              }
              return f;
            })
        .whenComplete((x, e) -> report("session-create", e));
  }

  @Override
  public CompletionStage<Rotation> rotate(
      String sid,
      String presentedHash,
      String nextHash,
      String nonce,
      long nowMillis,
      Duration grace,
      Duration keepRevoked,
      String address) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("session-rotate");
    }
    return redis
        .<List<Object>>eval(
            ROTATE,
            ScriptOutputType.MULTI,
            new byte[][] {family(sid), revokedKey, versionKey},
            bytes(presentedHash),
            bytes(nextHash),
            bytes(nonce),
            bytes(String.valueOf(nowMillis)),
            bytes(String.valueOf(grace.toMillis())),
            bytes(String.valueOf(keepRevoked.toMillis())),
            bytes(address),
            bytes(prefix),
            bytes(sid))
        .thenApply(r -> rotation(r, nowMillis + keepRevoked.toMillis()))
        .whenComplete((x, e) -> report("session-rotate", e));
  }

  private Rotation rotation(List<Object> r, long revokedUntil) {
    String status = text(r.get(0));
    switch (status) {
      case "exchanged":
        {
          RefreshFamily f = decode(fields(r.get(1)));
          return new Rotation.Exchanged(f, String.valueOf(f.nonce()), false);
        }
      case "repeated":
        {
          RefreshFamily f = decode(fields(r.get(1)));
          return new Rotation.Exchanged(f, String.valueOf(f.nonce()), true);
        }
      case "reused":
        {
          RefreshFamily f = decode(fields(r.get(1)));
          remember(f.sid(), revokedUntil);
          return new Rotation.Reused(f);
        }
      case "ended":
        return new Rotation.Refused(Rotation.Refusal.ENDED);
      default:
        return new Rotation.Refused(Rotation.Refusal.UNKNOWN);
    }
  }

  @Override
  public CompletionStage<Boolean> revoke(String sid, long nowMillis, Duration keepRevoked) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("session-revoke");
    }
    long until = nowMillis + keepRevoked.toMillis();
    return redis
        .<Long>eval(
            REVOKE,
            ScriptOutputType.INTEGER,
            new byte[][] {family(sid), revokedKey, versionKey},
            bytes(prefix),
            bytes(sid),
            bytes(String.valueOf(until)))
        .thenApply(
            n -> {
              if (n > 0) {
                remember(sid, until);
              }
              return n > 0;
            })
        .whenComplete((x, e) -> report("session-revoke", e));
  }

  @Override
  public CompletionStage<Integer> revokeAccount(
      String account, long nowMillis, Duration keepRevoked) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("session-revoke");
    }
    long until = nowMillis + keepRevoked.toMillis();
    return redis
        .<List<Object>>eval(
            REVOKE_ACCOUNT,
            ScriptOutputType.MULTI,
            new byte[][] {account(account), revokedKey, versionKey},
            bytes(prefix),
            bytes(String.valueOf(until)))
        .thenApply(
            gone -> {
              for (Object sid : gone) {
                remember(text(sid), until);
              }
              return gone.size();
            })
        .whenComplete((x, e) -> report("session-revoke", e));
  }

  @Override
  public CompletionStage<List<RefreshFamily>> sessions(String account, long nowMillis) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("sessions");
    }
    return redis
        .<List<Object>>eval(
            SESSIONS, ScriptOutputType.MULTI, new byte[][] {account(account)}, bytes(prefix))
        .thenApply(
            all -> {
              List<RefreshFamily> out = new ArrayList<>();
              for (Object one : all) {
                RefreshFamily f = decode(fields(one));
                if (!f.endedAt(nowMillis)) {
                  out.add(f);
                }
              }
              out.sort(Comparator.comparingLong(RefreshFamily::createdMillis));
              return out;
            })
        .whenComplete((x, e) -> report("sessions", e));
  }

  @Override
  public boolean revoked(String sid) {
    Long until = local.get(sid);
    return until != null && until > System.currentTimeMillis();
  }

  private synchronized void remember(String sid, long until) {
    Map<String, Long> next = new HashMap<>(local);
    next.put(sid, until);
    local = Map.copyOf(next);
  }

  /** Reloads the local copy of revoked sessions when the shared version moved. */
  private void refresh() {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return;
    }
    redis
        .get(versionKey)
        .thenCompose(
            v -> {
              String seen = v == null ? "0" : text(v);
              if (seen.equals(version)) {
                return CompletableFuture.completedFuture(null);
              }
              long now = System.currentTimeMillis();
              redis.zremrangebyscore(
                  revokedKey, Range.create(Double.NEGATIVE_INFINITY, (double) now));
              return redis
                  .zrangebyscoreWithScores(
                      revokedKey, Range.create((double) now, Double.POSITIVE_INFINITY))
                  .thenApply(all -> replace(all, seen));
            })
        .whenComplete((x, e) -> report("session-sync", e));
  }

  private synchronized @Nullable Void replace(List<ScoredValue<byte[]>> all, String seen) {
    Map<String, Long> next = new HashMap<>();
    for (ScoredValue<byte[]> s : all) {
      if (next.size() >= max) {
        break;
      }
      next.put(text(s.getValue()), (long) s.getScore());
    }
    long now = System.currentTimeMillis();
    for (Map.Entry<String, Long> e : local.entrySet()) {
      if (e.getValue() > now) {
        next.putIfAbsent(e.getKey(), e.getValue()); // revoked here since the read began
      }
    }
    local = Map.copyOf(next);
    version = seen;
    return null;
  }

  static Map<String, String> encode(RefreshFamily f) {
    Map<String, String> m = new HashMap<>();
    m.put("sid", f.sid());
    m.put("acct", f.account());
    m.put("created", String.valueOf(f.createdMillis()));
    m.put("last", String.valueOf(f.lastUsedMillis()));
    m.put("abs", String.valueOf(f.absoluteExpiryMillis()));
    m.put("idle", String.valueOf(f.idleMillis()));
    m.put("gen", String.valueOf(f.generation()));
    m.put("cur", f.currentHash());
    m.put("rot", String.valueOf(f.rotatedMillis()));
    m.put("amr", String.join(" ", f.amr()));
    m.put("addr", f.address());
    m.put("ua", f.userAgent());
    return m;
  }

  static RefreshFamily decode(Map<String, String> h) {
    String amr = h.getOrDefault("amr", "");
    return new RefreshFamily(
        h.getOrDefault("sid", ""),
        h.getOrDefault("acct", ""),
        number(h, "created"),
        number(h, "last"),
        number(h, "abs"),
        number(h, "idle"),
        number(h, "gen"),
        h.getOrDefault("cur", ""),
        h.get("prev"),
        number(h, "rot"),
        h.get("nonce"),
        amr.isEmpty() ? List.of() : Arrays.asList(amr.split(" ")),
        h.getOrDefault("addr", ""),
        h.getOrDefault("ua", ""));
  }

  private static long number(Map<String, String> h, String key) {
    try {
      return Long.parseLong(h.getOrDefault(key, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Map<String, String> fields(Object flat) {
    Map<String, String> m = new HashMap<>();
    if (flat instanceof List<?> l) {
      for (int i = 0; i + 1 < l.size(); i += 2) {
        m.put(text(l.get(i)), text(l.get(i + 1)));
      }
    }
    return m;
  }

  private static String text(@Nullable Object o) {
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    return String.valueOf(o);
  }

  private @Nullable RedisAsyncCommands<byte[], byte[]> commands() {
    StatefulRedisConnection<byte[], byte[]> c = store.connection();
    return c == null ? null : c.async();
  }

  private void report(String op, @Nullable Throwable e) {
    if (e != null) {
      store.health().failed(op, e);
    } else {
      store.health().ok();
    }
  }

  private <T> CompletionStage<T> failed(String op) {
    IllegalStateException e = new IllegalStateException("redis store not connected");
    store.health().failed(op, e);
    return CompletableFuture.failedFuture(e);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
