package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The QR code of an enrolment URI ({@link OtpAuthUri}), drawn by ZXing with error correction M and
 * the standard four-module quiet zone, as SVG text (one path, no script, no external reference:
 * safe to inline in a page) or PNG bytes. The code carries the secret: serve it only to the user
 * enrolling, with {@code Cache-Control: no-store}.
 */
public final class EnrolmentQrCode {
  /** The longest URI encoded (an enrolment URI is far shorter). */
  public static final int MAX_URI_CHARS = 1024;

  private final BitMatrix modules;

  private EnrolmentQrCode(BitMatrix modules) {
    this.modules = modules;
  }

  /** Returns the QR code of {@code uri}. */
  public static EnrolmentQrCode of(String uri) {
    requireNonNull(uri, "uri");
    if (uri.isEmpty() || uri.length() > MAX_URI_CHARS) {
      throw new IllegalArgumentException(
          "uri: " + uri.length() + " characters (expected: 1.." + MAX_URI_CHARS + ")");
    }
    try {
      BitMatrix m =
          new QRCodeWriter()
              .encode(
                  uri,
                  BarcodeFormat.QR_CODE,
                  0,
                  0,
                  Map.of(
                      EncodeHintType.ERROR_CORRECTION,
                      ErrorCorrectionLevel.M,
                      EncodeHintType.MARGIN,
                      4,
                      EncodeHintType.CHARACTER_SET,
                      "UTF-8"));
      return new EnrolmentQrCode(m);
    } catch (WriterException e) {
      throw new IllegalArgumentException("uri: cannot be drawn as a QR code", e);
    }
  }

  /** Returns the number of modules per side, quiet zone included. */
  public int size() {
    return modules.getWidth();
  }

  /** Returns whether the module at column {@code x}, row {@code y} is dark. */
  public boolean dark(int x, int y) {
    return modules.get(x, y);
  }

  /** Returns the code as an SVG document, one unit per module, scaled by the viewer. */
  public String svg() {
    int n = size();
    StringBuilder d = new StringBuilder();
    for (int y = 0; y < n; y++) {
      int x = 0;
      while (x < n) {
        if (!modules.get(x, y)) {
          x++;
          continue;
        }
        int start = x;
        while (x < n && modules.get(x, y)) {
          x++;
        }
        d.append('M').append(start).append(' ').append(y);
        d.append('h').append(x - start).append("v1h-").append(x - start).append('z');
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
        + n
        + ' '
        + n
        + "\" shape-rendering=\"crispEdges\"><rect width=\""
        + n
        + "\" height=\""
        + n
        + "\" fill=\"#fff\"/><path fill=\"#000\" d=\""
        + d
        + "\"/></svg>";
  }

  /** Returns the code as a PNG image of {@code scale} pixels per module (1..32). */
  public byte[] png(int scale) {
    if (scale < 1 || scale > 32) {
      throw new IllegalArgumentException("scale: " + scale + " (expected: 1..32)");
    }
    int n = size();
    BufferedImage image = new BufferedImage(n * scale, n * scale, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < n * scale; y++) {
      for (int x = 0; x < n * scale; x++) {
        image.setRGB(x, y, modules.get(x / scale, y / scale) ? 0xff000000 : 0xffffffff);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the QR code as PNG", e);
    }
    return out.toByteArray();
  }
}
