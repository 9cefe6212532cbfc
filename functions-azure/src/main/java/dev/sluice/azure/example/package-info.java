/**
 * The example function app: the order-events consumer a user writes, packaged with azure-functions-maven-plugin.
 */
@NullMarked
package dev.sluice.azure.example;

import org.jspecify.annotations.NullMarked;
