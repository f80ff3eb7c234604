/**
 * Alert rules over the security-event stream: each rule counts the events it matches per key (an
 * account, an address, a subject) in a sliding window, fires once its threshold is reached, and
 * then stays quiet for that key until its cool-down has passed (counting what it held back). An
 * alert goes to the log, to metrics, and to signed webhooks sent off the event loop from a bounded
 * queue. Counting is bounded in memory whatever the number of distinct keys.
 */
@NullMarked
package dev.bulwark.audit.alert;

import org.jspecify.annotations.NullMarked;
