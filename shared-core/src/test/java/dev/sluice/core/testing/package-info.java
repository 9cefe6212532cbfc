/**
 * Test suites for extension points, published in shared-core's test-jar so that every implementation runs
 * the same cases.
 */
package dev.sluice.core.testing;
