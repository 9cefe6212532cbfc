/**
 * Implementation details of the AWS adapter; not API.
 */
@NullMarked
package dev.sluice.aws.internal;

import org.jspecify.annotations.NullMarked;
