/**
 * How Tideline's settings are declared and checked. Each setting is declared once, as a component of a
 * settings record that is itself the {@code @ConfigurationProperties} bean: its default in the
 * component's {@code @Bindable(defaultValue)}, its checks in the compact constructor through
 * {@link io.tideline.core.config.Require}. {@link io.tideline.core.config.SettingsCheck} makes a bad value fail the
 * start, and {@link io.tideline.core.config.StartFailure} says why in one line.
 */
package io.tideline.core.config;
