package com.seedim.im.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Minimal Java2D charts (no external tools): a line chart over categories with a log y axis, and a bar chart. */
final class Plot {
  record Series(String name, double[] values, Color color, boolean dashed) {
  }

  private static final int W = 900;
  private static final int H = 520;
  private static final int L = 90;
  private static final int R = 230;
  private static final int T = 60;
  private static final int B = 70;

  private Plot() {
  }

  static void lines(Path file, String title, String xLabel, String yLabel, String[] categories, List<Series> series,
                    double[] targets, String targetLabel) throws IOException {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = start(img, title);
    double min = Double.MAX_VALUE;
    double max = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        if (v > 0 && !Double.isNaN(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    if (targets != null) {
      for (double v : targets) {
        if (v > 0) {
          max = Math.max(max, v);
          min = Math.min(min, v);
        }
      }
    }
    if (max == 0) {
      max = 1;
      min = 0.1;
    }
    double lo = Math.pow(10, Math.floor(Math.log10(min)));
    double hi = Math.pow(10, Math.ceil(Math.log10(max)));
    int pw = W - L - R;
    int ph = H - T - B;
    g.setColor(Color.GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (double d = lo; d <= hi * 1.0001; d *= 10) {
      for (int k = 1; k < 10; k++) {
        double v = d * k;
        if (v > hi * 1.0001) {
          break;
        }
        int y = yLog(v, lo, hi, ph);
        g.setColor(k == 1 ? new Color(200, 200, 200) : new Color(235, 235, 235));
        g.drawLine(L, y, L + pw, y);
        if (k == 1) {
          g.setColor(Color.DARK_GRAY);
          g.drawString(trim(v), L - 8 - g.getFontMetrics().stringWidth(trim(v)), y + 4);
        }
      }
    }
    int n = categories.length;
    for (int i = 0; i < n; i++) {
      int x = xCat(i, n, pw);
      g.setColor(Color.DARK_GRAY);
      g.drawString(categories[i], x - g.getFontMetrics().stringWidth(categories[i]) / 2, T + ph + 20);
    }
    axes(g, xLabel, yLabel, pw, ph);
    int legendY = T + 10;
    if (targets != null) {
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {2, 4}, 0));
      g.setColor(Color.RED);
      for (int i = 0; i < targets.length; i++) {
        if (targets[i] > 0) {
          int y = yLog(targets[i], lo, hi, ph);
          g.drawLine(L, y, L + pw, y);
        }
      }
      g.drawLine(L + pw + 15, legendY, L + pw + 45, legendY);
      g.drawString(targetLabel, L + pw + 52, legendY + 4);
      legendY += 20;
    }
    for (Series s : series) {
      g.setColor(s.color());
      g.setStroke(s.dashed() ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, new float[] {6, 4}, 0)
        : new BasicStroke(2.5f));
      int px = -1;
      int py = -1;
      for (int i = 0; i < n && i < s.values().length; i++) {
        double v = s.values()[i];
        if (!(v > 0)) {
          px = -1;
          continue;
        }
        int x = xCat(i, n, pw);
        int y = yLog(v, lo, hi, ph);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawLine(L + pw + 15, legendY, L + pw + 45, legendY);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), L + pw + 52, legendY + 4);
      legendY += 20;
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  static void bars(Path file, String title, String yLabel, String[] labels, double[] values, Color[] colors, double target,
                   String targetLabel) throws IOException {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = start(img, title);
    int pw = W - L - R;
    int ph = H - T - B;
    double max = target;
    for (double v : values) {
      max = Math.max(max, v);
    }
    max = nice(max * 1.1);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int k = 0; k <= 5; k++) {
      double v = max * k / 5;
      int y = T + ph - (int) (ph * v / max);
      g.setColor(new Color(220, 220, 220));
      g.drawLine(L, y, L + pw, y);
      g.setColor(Color.DARK_GRAY);
      String s = String.format("%,.0f", v);
      g.drawString(s, L - 8 - g.getFontMetrics().stringWidth(s), y + 4);
    }
    int n = values.length;
    int bw = Math.min(120, pw / (n * 2));
    for (int i = 0; i < n; i++) {
      int x = xCat(i, n, pw);
      int h = (int) (ph * values[i] / max);
      g.setColor(colors[i % colors.length]);
      g.fillRect(x - bw / 2, T + ph - h, bw, h);
      g.setColor(Color.BLACK);
      String v = String.format(max < 200 ? "%,.1f" : "%,.0f", values[i]);
      g.drawString(v, x - g.getFontMetrics().stringWidth(v) / 2, T + ph - h - 6);
      g.drawString(labels[i], x - g.getFontMetrics().stringWidth(labels[i]) / 2, T + ph + 20);
    }
    axes(g, "", yLabel, pw, ph);
    if (target > 0) {
      int y = T + ph - (int) (ph * target / max);
      g.setColor(Color.RED);
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
      g.drawLine(L, y, L + pw, y);
      g.drawString(targetLabel, L + pw + 10, y + 4);
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static Graphics2D start(BufferedImage img, String title) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, L, 30);
    return g;
  }

  private static void axes(Graphics2D g, String xLabel, String yLabel, int pw, int ph) {
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1f));
    g.drawLine(L, T, L, T + ph);
    g.drawLine(L, T + ph, L + pw, T + ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(xLabel, L + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, T + ph + 45);
    Graphics2D r = (Graphics2D) g.create();
    r.rotate(-Math.PI / 2);
    r.drawString(yLabel, -(T + ph / 2) - r.getFontMetrics().stringWidth(yLabel) / 2, 25);
    r.dispose();
  }

  private static int xCat(int i, int n, int pw) {
    return L + (int) (pw * (i + 0.5) / n);
  }

  private static int yLog(double v, double lo, double hi, int ph) {
    double f = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return T + ph - (int) (ph * f);
  }

  private static String trim(double v) {
    return v >= 1 ? String.format("%,.0f", v) : String.valueOf(v).replaceAll("0+$", "");
  }

  private static double nice(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  static List<Series> list() {
    return new ArrayList<>();
  }
}
