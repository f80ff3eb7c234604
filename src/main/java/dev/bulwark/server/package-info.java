/** Listeners, TLS, redirect, admin endpoints, connection guards and configuration reload. */
@NullMarked
package dev.bulwark.server;

import org.jspecify.annotations.NullMarked;
