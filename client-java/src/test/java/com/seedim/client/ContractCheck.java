package com.seedim.client;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** After each test: every frame the test's clients received matched docs/asyncapi.yaml ({@link Recorder}). */
final class ContractCheck implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) {
    Recorder.assertContract();
  }
}
