package com.seedim.im.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A blocking WebSocket client on a bare socket for the soak's hostile clients (a reader that never reads, ping
 * floods, malformed frames, idle TCP connections): what a well-behaved client library will not do. The same idea as
 * the hostile module's test helper, bound to a chosen loopback source address.
 */
final class RawWs implements AutoCloseable {
  static final int TEXT = 0x1;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  record Frame(int opcode, byte[] payload) {
    int closeCode() {
      return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
    }
  }

  final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawWs(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** A TCP connection from {@code local}, nothing sent; {@code receiveBuffer} > 0 sets SO_RCVBUF first. */
  static Socket tcp(String local, String host, int port, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.bind(new InetSocketAddress(local, 0));
    s.connect(new InetSocketAddress(host, port), 5000);
    return s;
  }

  /** Upgrades {@code pathAndQuery}; fails (and closes) unless the server answers 101. */
  static RawWs connect(String local, String host, int port, String pathAndQuery, int receiveBuffer) throws IOException {
    Socket s = tcp(local, host, port, receiveBuffer);
    try {
      s.setSoTimeout(15_000);
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      String req = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String head = readHead(s.getInputStream());
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(head));
      }
      return new RawWs(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("closed during the upgrade: " + b);
      }
      b.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /** One masked, final frame. */
  void send(int opcode, byte[] payload) throws IOException {
    int n = payload.length;
    ByteArrayOutputStream f = new ByteArrayOutputStream(n + 14);
    f.write(0x80 | (opcode & 0xF));
    if (n < 126) {
      f.write(0x80 | n);
    } else if (n < 65536) {
      f.write(0x80 | 126);
      f.write(n >>> 8);
      f.write(n);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) (((long) n) >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask);
    for (int i = 0; i < n; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  void sendText(String text) throws IOException {
    send(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next frame; null when nothing came within the timeout; EOFException once the connection is gone. */
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
      if (payload.length < len) {
        throw new EOFException("closed inside a frame");
      }
      return new Frame(b0 & 0xF, payload);
    } catch (SocketTimeoutException e) {
      return null;
    } catch (java.net.SocketException e) {
      throw new EOFException("reset: " + e.getMessage());
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
   * Reads until a close frame (its code), the end of the connection without one (0), or the timeout (-1); counts the
   * data frames read on the way into {@code frames} (may be null).
   */
  int awaitClose(long timeoutMs, long[] frames) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Frame f;
      try {
        f = read((int) Math.max(1, Math.min(1000, deadline - System.currentTimeMillis())));
      } catch (IOException e) {
        return 0;
      }
      if (f == null) {
        continue;
      }
      if (f.opcode() == CLOSE) {
        return f.closeCode();
      }
      if (frames != null) {
        frames[0]++;
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
