package dev.bulwark.identity.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.SecureRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The enrolment URI (escaping that no issuer or login name can break out of) and its QR code, read
 * back with ZXing's own decoder.
 */
class EnrolmentTest {
  private final TotpSecret secret = TotpSecret.generate(new SecureRandom());

  @Test
  void hostileLoginNamesCannotChangeTheUrisStructure() {
    String uri = OtpAuthUri.of("ACME Co", "eve&issuer=Evil#x?y:z/w+v", secret);
    assertThat(uri)
        .isEqualTo(
            "otpauth://totp/ACME%20Co:eve%26issuer%3DEvil%23x%3Fy%3Az%2Fw%2Bv?secret="
                + secret.base32()
                + "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
    URI parsed = URI.create(uri);
    assertThat(parsed.getScheme()).isEqualTo("otpauth");
    assertThat(parsed.getFragment()).isNull();
    assertThat(parsed.getRawQuery().split("&")).hasSize(5);
  }

  @Test
  void unicodeIsPercentEncodedAsUtf8() {
    assertThat(OtpAuthUri.of("Bulwark", "zoë@exämple.com", secret))
        .startsWith("otpauth://totp/Bulwark:zo%C3%AB%40ex%C3%A4mple.com?secret=");
  }

  @Test
  void theQrCodeReadsBackAsTheUri() throws Exception {
    String uri = OtpAuthUri.of("Bulwark", "alice@example.com", secret);
    EnrolmentQrCode qr = EnrolmentQrCode.of(uri);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(qr.png(4)));
    assertThat(image.getWidth()).isEqualTo(qr.size() * 4);
    int[] pixels =
        image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    RGBLuminanceSource source = new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels);
    String read =
        new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
    assertThat(read).isEqualTo(uri);
  }

  @Test
  void theSvgIsOnePathAndNothingActive() {
    EnrolmentQrCode qr = EnrolmentQrCode.of(OtpAuthUri.of("Bulwark", "alice", secret));
    String svg = qr.svg();
    assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
    assertThat(svg).endsWith("</svg>");
    assertThat(svg).doesNotContain("script", "href", "on");
    assertThat(svg.split("<path", -1)).hasSize(2);
    // The quiet zone: the first four rows and columns are light; the finder pattern's corner dark.
    for (int i = 0; i < 4; i++) {
      assertThat(qr.dark(i, i)).isFalse();
    }
    assertThat(qr.dark(4, 4)).isTrue();
  }

  @Test
  void oversizedInputIsRefused() {
    assertThatThrownBy(() -> EnrolmentQrCode.of("x".repeat(5000)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnrolmentQrCode.of(OtpAuthUri.of("B", "a", secret)).png(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
