package com.seedim.im.hostile;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * A WebSocket client on a bare {@link Socket}, for attacks no well-behaved client library can make: frames with any
 * opcode, flags, masking and payload (invalid UTF-8, reserved bits, fragmented control frames), a tiny receive
 * window and a reader that never reads. Blocking; one per test thread.
 */
final class RawWebSocket implements AutoCloseable {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CONTINUATION = 0x0;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A frame read from the server. */
  record Frame(boolean fin, int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame, or -1. */
    int closeCode() {
      return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
    }
  }

  final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** The HTTP status line and headers of the upgrade response. */
  final String response;

  private RawWebSocket(Socket socket, String response) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.response = response;
  }

  /** Opens a TCP connection without sending anything (for slowloris tests). */
  static Socket tcp(int port, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return s;
  }

  /**
   * Upgrades {@code pathAndQuery}; {@code receiveBuffer} > 0 sets SO_RCVBUF before connecting (a small window makes a
   * non-reading client fill the server's write queue quickly). Fails when the server does not answer 101.
   */
  static RawWebSocket connect(int port, String pathAndQuery, int receiveBuffer) throws IOException {
    Socket s = tcp(port, receiveBuffer);
    s.setSoTimeout(15_000);
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    String req = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    String head = readHead(s.getInputStream());
    if (!head.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(head));
    }
    return new RawWebSocket(s, head);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed during the upgrade: " + b);
      }
      b.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /** Sends one masked frame with the given first-byte flags (FIN, RSV1-3) and opcode. */
  void send(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
    out.write(frame(fin, rsv, opcode, payload));
    out.flush();
  }

  /**
   * Sends the first {@code bytes} bytes of such a frame only: a header that declares more than a limit, and as much
   * payload as the socket buffers take without blocking. A server that refuses on the header closes the connection
   * while a full write would still be blocked (the client then sees a broken pipe instead of the close frame).
   */
  void sendPrefix(boolean fin, int rsv, int opcode, byte[] payload, int bytes) throws IOException {
    byte[] f = frame(fin, rsv, opcode, payload);
    out.write(f, 0, Math.min(bytes, f.length));
    out.flush();
  }

  private static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xF));
    int n = payload.length;
    if (n < 126) {
      f.write(0x80 | n);
    } else if (n < 65536) {
      f.write(0x80 | 126);
      f.write(n >>> 8);
      f.write(n);
    } else {
      f.write(0x80 | 127);
      long ln = n;
      for (int i = 7; i >= 0; i--) {
        f.write((int) (ln >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    f.write(mask, 0, mask.length);
    byte[] masked = new byte[n];
    for (int i = 0; i < n; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    f.write(masked, 0, n);
    return f.toByteArray();
  }

  void sendText(String text) throws IOException {
    send(true, 0, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads the next frame; null when nothing came within the timeout; EOFException when the server closed TCP. */
  Frame read(int timeoutMs) throws IOException {
    socket.setSoTimeout(timeoutMs);
    try {
      int b0 = in.read();
      if (b0 < 0) {
        throw new EOFException("closed by the server");
      }
      int b1 = readByte();
      long len = b1 & 0x7F;
      if (len == 126) {
        len = (readByte() << 8) | readByte();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | readByte();
        }
      }
      byte[] payload = in.readNBytes((int) len);
      return new Frame((b0 & 0x80) != 0, b0 & 0xF, payload);
    } catch (SocketTimeoutException e) {
      return null;
    } catch (SocketException e) {
      throw new EOFException("connection reset: " + e.getMessage());
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    return b;
  }

  /**
   * Reads frames until a close frame arrives (its code), the TCP connection ends (0), or {@code timeoutMs} passes
   * (-1). Text frames read on the way are handed to {@code onText} (may be null).
   */
  int awaitClose(long timeoutMs, Consumer<String> onText) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Frame f;
      try {
        f = read((int) Math.max(1, Math.min(1000, deadline - System.currentTimeMillis())));
      } catch (EOFException e) {
        return 0;
      }
      if (f == null) {
        continue;
      }
      if (f.opcode() == CLOSE) {
        return f.closeCode();
      }
      if (f.opcode() == TEXT && onText != null) {
        onText.accept(f.text());
      }
    }
    return -1;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
