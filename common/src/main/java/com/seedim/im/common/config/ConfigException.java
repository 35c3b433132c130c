package com.seedim.im.common.config;

/**
 * A refused configuration: the one-line message names the key ({@code apps[0].maxDevices}, or the environment variable
 * that set it), the value and what is allowed. The launcher prints it with the config file's name, without a stack
 * trace, and exits 78.
 */
public final class ConfigException extends IllegalArgumentException {
  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The full path of the key ({@code gateway.trustedProxies}, {@code apps[0].maxDevices}) or the variable ({@code IM_PORT}). */
  public String key() {
    return key;
  }
}
