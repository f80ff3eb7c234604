/**
 * Black-box hardening probe: grades any HTTPS deployment from the outside against Bulwark's
 * checklist, using nothing of the gateway itself.
 */
@NullMarked
package dev.bulwark.probe;

import org.jspecify.annotations.NullMarked;
