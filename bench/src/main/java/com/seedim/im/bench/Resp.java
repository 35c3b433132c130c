package com.seedim.im.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal pipelining Redis (RESP2) client for the soak's read-only figures: SCAN of one key prefix, MEMORY USAGE
 * of each of its keys, INFO memory. Never writes or flushes anything.
 */
final class Resp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  Resp(String host, int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 3000);
    socket.setSoTimeout(30_000);
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
  }

  private void write(List<String> cmd) throws IOException {
    StringBuilder sb = new StringBuilder().append('*').append(cmd.size()).append("\r\n");
    for (String a : cmd) {
      sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  Object call(String... cmd) throws IOException {
    write(List.of(cmd));
    out.flush();
    return read();
  }

  /** Sends all commands, then reads all replies. */
  List<Object> pipeline(List<List<String>> cmds) throws IOException {
    for (List<String> c : cmds) {
      write(c);
    }
    out.flush();
    List<Object> r = new ArrayList<>(cmds.size());
    for (int i = 0; i < cmds.size(); i++) {
      r.add(read());
    }
    return r;
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException();
      }
      b.write(c);
    }
    in.read(); // \n
    return b.toString(StandardCharsets.UTF_8);
  }

  private Object read() throws IOException {
    int t = in.read();
    if (t < 0) {
      throw new EOFException();
    }
    String l = line();
    switch (t) {
      case '+':
        return l;
      case '-':
        return new IOException("redis: " + l);
      case ':':
        return Long.parseLong(l);
      case '$': {
        int n = Integer.parseInt(l);
        if (n < 0) {
          return null;
        }
        byte[] b = in.readNBytes(n);
        in.read();
        in.read();
        return new String(b, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(l);
        if (n < 0) {
          return null;
        }
        List<Object> a = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          a.add(read());
        }
        return a;
      }
      default:
        throw new IOException("unexpected RESP type " + (char) t);
    }
  }

  /** {keys, bytes}: the number of keys matching {@code prefix*} and the sum of their MEMORY USAGE. */
  long[] prefixUsage(String prefix) throws IOException {
    String cursor = "0";
    long keys = 0;
    long bytes = 0;
    do {
      @SuppressWarnings("unchecked")
      List<Object> r = (List<Object>) call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
      cursor = (String) r.get(0);
      @SuppressWarnings("unchecked")
      List<Object> batch = (List<Object>) r.get(1);
      if (!batch.isEmpty()) {
        List<List<String>> cmds = new ArrayList<>();
        for (Object k : batch) {
          cmds.add(List.of("MEMORY", "USAGE", (String) k, "SAMPLES", "0"));
        }
        for (Object u : pipeline(cmds)) {
          if (u instanceof Long v) {
            bytes += v;
            keys++;
          }
        }
      }
    } while (!"0".equals(cursor));
    return new long[] {keys, bytes};
  }

  /** A field of INFO (e.g. used_memory), or -1. */
  long info(String section, String field) throws IOException {
    Object r = call("INFO", section);
    if (r instanceof String s) {
      for (String l : s.split("\r\n")) {
        if (l.startsWith(field + ":")) {
          return Long.parseLong(l.substring(field.length() + 1).trim());
        }
      }
    }
    return -1;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
