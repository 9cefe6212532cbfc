/** The example CDK app that deploys Sluice's example order-events consumer. */
@NullMarked
package dev.sluice.cdk.example;

import org.jspecify.annotations.NullMarked;
