/** What the hub writes to its log for an operator, and how often. */
package dev.switchboard.core.logging;
