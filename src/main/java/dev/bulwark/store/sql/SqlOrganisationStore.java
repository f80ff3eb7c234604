package dev.bulwark.store.sql;

import dev.bulwark.store.Membership;
import dev.bulwark.store.Organisation;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.Page;
import dev.bulwark.store.StoredFieldLimits;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Organisations and memberships in a SQL database. Slugs, names and roles are in clear (they name
 * tenants, not people: the slug appears in request paths anyway); a membership is only a pair of
 * ids and a role.
 */
public final class SqlOrganisationStore implements OrganisationStore {
  private final SqlRunner runner;
  private final SqlAccountStore accounts;
  private final SqlDialect dialect;

  public SqlOrganisationStore(SqlRunner runner, SqlAccountStore accounts, SqlDialect dialect) {
    this.runner = runner;
    this.accounts = accounts;
    this.dialect = dialect;
  }

  private static Organisation read(ResultSet r) throws SQLException {
    return new Organisation(
        r.getString(1), r.getString(2), r.getString(3), Instant.ofEpochMilli(r.getLong(4)));
  }

  @Override
  public CompletionStage<Optional<Organisation>> create(String slug, String name) {
    String problem = StoredFieldLimits.organisationProblem(slug, name);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    String id = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    return runner.run(
        "create organisation",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO organisations (id, slug, name, created_ms) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT (slug) DO NOTHING")) {
            s.setString(1, id);
            s.setString(2, slug);
            s.setString(3, name);
            s.setLong(4, now);
            return s.executeUpdate() == 1
                ? Optional.of(new Organisation(id, slug, name, Instant.ofEpochMilli(now)))
                : Optional.empty();
          }
        });
  }

  private static final String BY_ID =
      "SELECT id, slug, name, created_ms FROM organisations WHERE id = ?";
  private static final String BY_SLUG =
      "SELECT id, slug, name, created_ms FROM organisations WHERE slug = ?";

  private CompletionStage<Optional<Organisation>> one(String operation, String sql, String value) {
    return runner.run(
        operation,
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            return SqlRows.first(s, SqlOrganisationStore::read, value);
          }
        });
  }

  @Override
  public CompletionStage<Optional<Organisation>> byId(String id) {
    return one("organisation by id", BY_ID, id);
  }

  @Override
  public CompletionStage<Optional<Organisation>> bySlug(String slug) {
    return one("organisation by slug", BY_SLUG, slug);
  }

  @Override
  public CompletionStage<Page<Organisation>> list(String after, int limit) {
    String problem = StoredFieldLimits.pageProblem(limit);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    return runner.run(
        "list organisations",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT id, slug, name, created_ms FROM organisations WHERE id > ?"
                      + " ORDER BY id LIMIT ?")) {
            return SqlRows.page(s, limit, SqlOrganisationStore::read, Organisation::id, after);
          }
        });
  }

  @Override
  public CompletionStage<Boolean> delete(String id) {
    return runner.run(
        "delete organisation",
        c ->
            SqlRunner.inTransaction(
                c,
                tx -> {
                  try (PreparedStatement s =
                      tx.prepareStatement("DELETE FROM memberships WHERE org_id = ?")) {
                    s.setString(1, id);
                    s.executeUpdate();
                  }
                  try (PreparedStatement s =
                      tx.prepareStatement("DELETE FROM organisations WHERE id = ?")) {
                    s.setString(1, id);
                    return s.executeUpdate() == 1;
                  }
                }));
  }

  @Override
  public CompletionStage<Boolean> setMembership(
      String accountId, String organisationId, String role) {
    String problem = StoredFieldLimits.slugProblem("role", role);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    return runner.run(
        "set membership",
        c ->
            SqlRunner.inTransaction(
                c,
                tx -> {
                  // Both rows locked: an account or organisation deleted meanwhile cannot leave a
                  // membership behind.
                  if (!accounts.lock(tx, accountId)) {
                    return false;
                  }
                  try (PreparedStatement s =
                      tx.prepareStatement(
                          "SELECT id FROM organisations WHERE id = ?" + dialect.lockRows())) {
                    s.setString(1, organisationId);
                    try (ResultSet r = s.executeQuery()) {
                      if (!r.next()) {
                        return false;
                      }
                    }
                  }
                  try (PreparedStatement s =
                      tx.prepareStatement(
                          "INSERT INTO memberships (account_id, org_id, role, created_ms)"
                              + " VALUES (?, ?, ?, ?) ON CONFLICT (account_id, org_id)"
                              + " DO UPDATE SET role = excluded.role")) {
                    s.setString(1, accountId);
                    s.setString(2, organisationId);
                    s.setString(3, role);
                    s.setLong(4, System.currentTimeMillis());
                    s.executeUpdate();
                  }
                  return true;
                }));
  }

  @Override
  public CompletionStage<Boolean> removeMembership(String accountId, String organisationId) {
    return runner.run(
        "remove membership",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM memberships WHERE account_id = ? AND org_id = ?")) {
            s.setString(1, accountId);
            s.setString(2, organisationId);
            return s.executeUpdate() == 1;
          }
        });
  }

  @Override
  public CompletionStage<List<Membership>> membershipsOf(String accountId, int limit) {
    String problem = StoredFieldLimits.pageProblem(limit);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    return runner.run(
        "memberships of account",
        c -> {
          List<Membership> out = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT org_id, role FROM memberships WHERE account_id = ?"
                      + " ORDER BY org_id LIMIT ?")) {
            s.setString(1, accountId);
            s.setInt(2, limit);
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                out.add(new Membership(accountId, r.getString(1), r.getString(2)));
              }
            }
          }
          return out;
        });
  }

  @Override
  public CompletionStage<Page<Membership>> members(String organisationId, String after, int limit) {
    String problem = StoredFieldLimits.pageProblem(limit);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    return runner.run(
        "members of organisation",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT account_id, role FROM memberships WHERE org_id = ? AND account_id > ?"
                      + " ORDER BY account_id LIMIT ?")) {
            return SqlRows.page(
                s,
                limit,
                r -> new Membership(r.getString(1), organisationId, r.getString(2)),
                Membership::accountId,
                organisationId,
                after);
          }
        });
  }
}
