package com.seedim.im.cs.store;

/** Where a store under test keeps its state: the contract holds on each. */
enum Backend {
  /** Dev mode: one JVM, one lock. */
  MEMORY,
  /** The machine's standalone Redis. */
  REDIS,
  /** A real three-master Redis Cluster of the test class ({@link TestRedisCluster}). */
  CLUSTER
}
