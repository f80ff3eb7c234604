// bench/MintTokens.java — run by bench/run as a single-file program (JDK only, no dependencies):
//   java bench/MintTokens.java OUT_DIR COUNT TTL_SECONDS
// Generates a fresh ES256 (P-256) key pair, writes its public half to OUT_DIR/issuer.pem (the
// benchmark issuer's `keys:` file) and COUNT different valid tokens, one per line, to
// OUT_DIR/tokens.txt. The private key is never written anywhere: a new one every run.
// Claims: iss https://bench.bulwark.invalid/, aud bulwark-bench, sub bench-user-N,
// roles [bench], scope "orders:write", orgs [acme], iat now, exp now + TTL_SECONDS.

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

public class MintTokens {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: java MintTokens.java OUT_DIR COUNT TTL_SECONDS");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    long ttl = Long.parseLong(args[2]);
    Files.createDirectories(dir);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(kp.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    Files.writeString(dir.resolve("issuer.pem"), pem, StandardCharsets.US_ASCII);

    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    // JOSE ES256 signatures are r || s (64 bytes): the JDK's P1363 format, not DER
    Signature sig = Signature.getInstance("SHA256withECDSAinP1363Format");
    String header = b64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    long now = System.currentTimeMillis() / 1000;
    StringBuilder out = new StringBuilder(count * 320);
    for (int i = 0; i < count; i++) {
      String claims =
          "{\"iss\":\"https://bench.bulwark.invalid/\",\"aud\":\"bulwark-bench\",\"sub\":\"bench-user-"
              + i
              + "\",\"roles\":[\"bench\"],\"scope\":\"orders:write\",\"orgs\":[\"acme\"],\"iat\":"
              + now
              + ",\"exp\":"
              + (now + ttl)
              + "}";
      String signingInput = header + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
      sig.initSign(kp.getPrivate());
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      out.append(signingInput).append('.').append(b64.encodeToString(sig.sign())).append('\n');
    }
    Files.writeString(dir.resolve("tokens.txt"), out, StandardCharsets.US_ASCII);
  }
}
