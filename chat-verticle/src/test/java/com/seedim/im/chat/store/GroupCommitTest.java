package com.seedim.im.chat.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link GroupCommit} off any Vert.x context (no deadlines): batching, its take policy, the bound, the fallback. */
@DisplayName("GroupCommit: asks wait for the running batch and go together, bounded")
class GroupCommitTest {
  private final List<List<Integer>> batches = new ArrayList<>();
  private final List<Promise<List<Integer>>> running = new ArrayList<>();

  private Future<List<Integer>> run(List<Integer> batch) {
    batches.add(List.copyOf(batch));
    Promise<List<Integer>> p = Promise.promise();
    running.add(p);
    return p.future();
  }

  @Test
  @DisplayName("an idle store runs an ask at once; the asks that wait meanwhile go next, a power of two of them")
  void batches() {
    GroupCommit<Integer, Integer> g = new GroupCommit<>("test", 4, GroupCommit.Take.powerOfTwo(64), this::run, null, 0);
    Future<Integer> first = g.ask(0);
    List<Future<Integer>> later = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      later.add(g.ask(i));
    }
    assertThat(batches).containsExactly(List.of(0)); // 6 waiting: below the threshold for a parallel batch
    running.get(0).complete(List.of(100));
    assertThat(first.result()).isEqualTo(100);
    assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3, 4));
    running.get(1).complete(List.of(101, 102, 103, 104));
    assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3, 4), List.of(5, 6));
    running.get(2).complete(List.of(105, 106));
    assertThat(later).extracting(Future::result).containsExactly(101, 102, 103, 104, 105, 106);
  }

  @Test
  @DisplayName("beyond MAX_QUEUED waiting asks a call fails at once with QueueFull")
  void bounded() {
    GroupCommit<Integer, Integer> g = new GroupCommit<>("test", 1, GroupCommit.Take.upTo(64), this::run, null, 0);
    g.ask(-1); // runs, never completes: everything else waits
    for (int i = 0; i < GroupCommit.MAX_QUEUED; i++) {
      assertThat(g.ask(i).isComplete()).isFalse();
    }
    assertThat(g.ask(GroupCommit.MAX_QUEUED).cause()).isInstanceOf(GroupCommit.QueueFull.class);
  }

  @Test
  @DisplayName("a failed batch of several runs each ask alone, so one bad ask does not fail the others")
  void fallback() {
    GroupCommit<Integer, Integer> g = new GroupCommit<>("test", 1, GroupCommit.Take.upTo(64), this::run,
      i -> i == 2 ? Future.failedFuture(new IllegalStateException("bad")) : Future.succeededFuture(i * 10), 0);
    g.ask(0);
    Future<Integer> one = g.ask(1);
    Future<Integer> two = g.ask(2);
    running.get(0).complete(List.of(0));
    running.get(1).fail(new IllegalStateException("batch"));
    assertThat(one.result()).isEqualTo(10);
    assertThat(two.cause()).hasMessage("bad");
  }
}
