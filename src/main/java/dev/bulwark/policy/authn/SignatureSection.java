package dev.bulwark.policy.authn;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.List;

/**
 * Signed requests as a route's credential: {@code auth.signature} in routes and {@code defaults}
 * (the {@code auth} key belongs to the access rules; this reads only its {@code signature}). A
 * route whose own {@code auth} says nothing of signatures asks for none; one without {@code auth}
 * inherits {@code defaults}. The authentication feature turns it into the route's only credential
 * provider.
 */
public final class SignatureSection implements PolicyFactory<SignatureConfig> {
  @Override
  public String name() {
    return "signature";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.AUTHN);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of(); // auth.signature, under the access rules' auth key
  }

  @Override
  public Class<SignatureConfig> type() {
    return SignatureConfig.class;
  }

  @Override
  public SignatureConfig absent() {
    return SignatureConfig.NONE;
  }

  @Override
  public SignatureConfig read(ConfigNode holder, SignatureConfig inherited, ReadContext context) {
    ConfigNode auth = holder.get("auth");
    if (context.serve() != null) {
      return SignatureConfig.NONE; // the access rules report auth on a served route
    }
    if (!auth.present()) {
      return "true".equals(holder.get("public").rawText()) ? SignatureConfig.NONE : inherited;
    }
    if (!auth.isMapping()) {
      return SignatureConfig.NONE;
    }
    return SignatureConfig.read(auth.get("signature"));
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> List.of(); // the authentication feature builds the provider
  }
}
