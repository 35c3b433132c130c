package com.seedim.im.common.proto;

/** Codes carried by the 99 notice (§5). */
public enum NoticeCode {
  SHUTDOWN,
  REPLACED,
  KICKED
}
