package com.seedim.im.testkit.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on a free loopback port for fault tests. {@link #blackhole()} silently drops every byte of the
 * connections open at that moment, for good (a network partition: no RST, no FIN); {@link #heal()} lets new
 * connections through again while the blackholed ones stay dead, as after a partition whose peers forgot them.
 */
public final class BlackholeProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile boolean refusing;
  private volatile boolean closed;

  private final class Link {
    final Socket client;
    final Socket upstream;
    final AtomicBoolean dead = new AtomicBoolean();

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void pump(InputStream in, OutputStream out) {
      byte[] buf = new byte[16384];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (!dead.get()) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // closed
      }
      if (!dead.get()) {
        close();
      }
    }

    void close() {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing
      }
      try {
        upstream.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  public BlackholeProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread t = new Thread(this::acceptLoop, "blackhole-proxy-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket c = server.accept();
        if (refusing) {
          // accepted by the kernel but never answered: like a partitioned peer
          Link dead = new Link(c, new Socket());
          dead.dead.set(true);
          links.add(dead);
          Thread r = new Thread(() -> dead.pump(readerOf(c), OutputStream.nullOutputStream()));
          r.setDaemon(true);
          r.start();
          continue;
        }
        Socket u = new Socket(targetHost, targetPort);
        Link l = new Link(c, u);
        links.add(l);
        Thread a = new Thread(() -> l.pump(readerOf(c), writerOf(u)));
        Thread b = new Thread(() -> l.pump(readerOf(u), writerOf(c)));
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private static InputStream readerOf(Socket s) {
    try {
      return s.getInputStream();
    } catch (IOException e) {
      return InputStream.nullInputStream();
    }
  }

  private static OutputStream writerOf(Socket s) {
    try {
      return s.getOutputStream();
    } catch (IOException e) {
      return OutputStream.nullOutputStream();
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  public String redisUri() {
    return "redis://127.0.0.1:" + port();
  }

  /** Every open connection goes silent for good; new ones are accepted and never answered until {@link #heal()}. */
  public void blackhole() {
    refusing = true;
    links.forEach(l -> l.dead.set(true));
  }

  /** New connections work again; the blackholed ones stay silent. */
  public void heal() {
    refusing = false;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    links.forEach(Link::close);
  }
}
