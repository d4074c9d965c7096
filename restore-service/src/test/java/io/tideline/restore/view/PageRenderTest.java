package io.tideline.restore.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * The view's templates rendered as micronaut-views renders them (Thymeleaf, {@code views/} on the classpath,
 * {@code .html}): what a person reads for the windows issue 16 found wrong, and that the engine escapes.
 */
class PageRenderTest {

    private static final Instant NOW = Instant.parse("2026-12-07T11:24:20Z");

    private static String render(String template, Object page) {
        return render(template, page, new BackupsPageController.Me("alice", "csrf-token", true));
    }

    private static String render(String template, Object page, BackupsPageController.Me me) {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix("views/");
        resolver.setSuffix(".html");
        TemplateEngine engine = new TemplateEngine();
        engine.setTemplateResolver(resolver);
        Context context = new Context();
        context.setVariables(Map.of("page", page, "me", me));
        return engine.process(template, context);
    }

    private static RegisteredInstance registered(String id, String name) {
        return new RegisteredInstance(InstanceId.of(id), name, "127.0.0.1", 5433, "postgres", "postgres",
                SecretRef.of("instances/" + id + "/superuser"), "replicator", SecretRef.of("instances/" + id + "/replication"),
                "tideline-" + id, SecretRef.of("instances/" + id + "/s3-access"), SecretRef.of("instances/" + id + "/s3-secret"),
                15, 16L * 1024 * 1024, Optional.empty(), Optional.empty(), Optional.empty(), NOW.minusSeconds(600));
    }

    private static BackupsView view(String id, String name, BackupsView.Window window, List<BackupsView.BackupRow> backups) {
        return new BackupsView(new InstanceSummary(id, name, "127.0.0.1", 5433, "postgres", 15, "tideline-" + id, null, null,
                NOW.minusSeconds(600).toString()), NOW.toString(), window, null, backups, List.of(), List.of(), List.of(),
                new BackupsView.Drills("P7D", null, null, null, null, null));
    }

    private static String text(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(html);
        assertTrue(m.find(), "no element " + id + " in " + html);
        return m.group(1);
    }

    /** Issue 16: a freshly restored instance showed {@code 11:23:51Z → 11:23:50Z} and its form had min > max. */
    @Test
    void aOneInstantWindowIsShownAsThatInstantAndOfferedAsTheTarget() {
        String at = "2026-12-07T11:23:50.512345Z";
        BackupsView.Window window = new BackupsView.Window(at, at, List.of(new BackupsView.Range(at, at)));
        String html = render("backups/instance", InstancePage.of(view("orders-r-7ee639ff", "orders-r-7ee639ff", window, List.of()),
                registered("orders-r-7ee639ff", "orders-r-7ee639ff"), null, NOW, RestoreId.of("0a1b2c3d-0000")));

        assertEquals(at, text(html, "window-from"));
        assertEquals(at, text(html, "window-to"), "the end is not before the start");
        assertTrue(html.contains("data-from=\"" + at + "\" data-to=\"" + at + "\""), "the form's one range is that instant");
        assertTrue(html.contains("id=\"target\"") && html.contains("value=\"" + at + "\""), "offered as the target");
        assertFalse(html.contains("datetime-local"), "no browser-locale date picker");
    }

    /** Issue 14.2: a viewer sees the instance but its restore form and "Back up now" are off, and says why. */
    @Test
    void aViewerSeesTheInstanceButCannotRestoreOrBackItUp() {
        String at = "2026-12-07T11:23:50.512345Z";
        BackupsView.Window window = new BackupsView.Window(at, at, List.of(new BackupsView.Range(at, at)));
        Object page = InstancePage.of(view("shop", "shop", window, List.of()), registered("shop", "shop"), null, NOW,
                RestoreId.of("0a1b2c3d-0000"));
        String viewer = render("backups/instance", page, new BackupsPageController.Me("vera", "t", false));
        String restorer = render("backups/instance", page, new BackupsPageController.Me("rita", "t", true));

        assertTrue(viewer.contains("id=\"not-restorer\""), "a viewer is told why");
        assertFalse(restorer.contains("id=\"not-restorer\""));
        Pattern review = Pattern.compile("<button[^>]*id=\"review\"[^>]*>");
        Matcher v = review.matcher(viewer);
        Matcher r = review.matcher(restorer);
        assertTrue(v.find() && r.find());
        assertTrue(v.group().contains("disabled"), "a viewer's restore form cannot be sent: " + v.group());
        assertFalse(r.group().contains("disabled"), "a restorer's can: " + r.group());
        assertTrue(viewer.contains("Signed in as <strong id=\"signed-in-as\">vera</strong>"));
    }

    /** Issue 16: for a minute after each backup the page warned of a WAL gap, with an inverted range. */
    @Test
    void justAfterABackupTheBreakIsWalNotUploadedYetNotAGap() {
        String before = "2026-12-07T11:24:10.100000Z";
        String backupAt = "2026-12-07T11:24:15.300000Z";
        BackupsView.Window window = new BackupsView.Window("2026-12-07T10:00:00Z", backupAt,
                List.of(new BackupsView.Range("2026-12-07T10:00:00Z", before), new BackupsView.Range(backupAt, backupAt)));
        String html = render("backups/instance", InstancePage.of(view("orders", "orders", window, List.of()), registered("orders", "orders"),
                null, NOW, RestoreId.of("0a1b2c3d-0000")));

        assertTrue(html.contains("WAL not uploaded yet"), html);
        assertFalse(html.contains("WAL gap"), "not a gap yet");
        assertTrue(html.contains("data-from=\"" + backupAt + "\" data-to=\"" + backupAt + "\""), "the second range is not inverted");

        String later = render("backups/instance", InstancePage.of(view("orders", "orders", window, List.of()), registered("orders", "orders"),
                null, NOW.plusSeconds(600), RestoreId.of("0a1b2c3d-0000")));
        assertTrue(later.contains("WAL gap"), "ten minutes on, still missing: a gap");
    }

    @Test
    void theFormChecksNamesByTheServersRuleAndShowsTheNameThatWillBeMade() {
        String html = render("backups/instance", InstancePage.of(view("orders", "orders", new BackupsView.Window(null, null, List.of()),
                List.of()), registered("orders", "orders"), null, NOW, RestoreId.of("7ee639ff-1234")));
        assertTrue(html.contains("data-name-rule=\"" + InstanceId.RULE + "\""), html);
        assertTrue(html.contains("placeholder=\"orders-r-7ee639ff\""), "the name the restore makes when none is typed");
        assertTrue("orders-r-7ee639ff".matches(InstanceId.RULE));
        assertFalse("a--b".matches(InstanceId.RULE), "one rule, double dashes included");
    }

    @Test
    void theEngineEscapesWhatThePagesShow() {
        BackupsView.BackupRow row = new BackupsView.BackupRow("20261207T112350Z-abcd", 1L, "0/2000028", "0/2000100",
                "2026-12-07T11:23:50Z", "2026-12-07T11:23:51Z", 2L * 1024 * 1024, BackupsView.BackupRow.UNUSABLE, null,
                "<script>alert('x')</script> & \"", "ON_DEMAND", 3L * 1024 * 1024);
        String html = render("backups/instance", InstancePage.of(view("orders", "orders", new BackupsView.Window(null, null, List.of()),
                List.of(row)), registered("orders", "orders"), null, NOW, RestoreId.of("7ee639ff-1234")));
        assertFalse(html.contains("<script>alert"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"), html);
        assertTrue(html.contains(">on demand<") && html.contains(">1 s<") && html.contains(">3.0 MiB<") && html.contains(">2.0 MiB<"),
                "reason, duration, raw and stored size");

        String list = render("backups/instances", new InstancesPage(List.of(InstancesPage.row(registered("orders", "<b>orders</b>"),
                view("orders", "<b>orders</b>", new BackupsView.Window(null, null, List.of()), List.of(row)), NOW)), ViewTimes.iso(NOW)));
        assertTrue(list.contains("&lt;b&gt;orders&lt;/b&gt;") && !list.contains("<b>orders"), list);
        assertTrue(list.contains("not restorable yet"), "its state");
    }

    /** Issue 18.6: the page says how long a restore of the newest point would replay, beside the RTO budget. */
    @Test
    void theNewestPointsReplayIsEstimatedBesideTheBudget() {
        BackupsView.BackupRow row = new BackupsView.BackupRow("20261207T112350Z-abcd", 1L, "1/28", "1/2000100",
                "2026-12-07T11:23:50Z", "2026-12-07T11:23:51Z", 2L * 1024 * 1024, BackupsView.BackupRow.RESTORABLE,
                "2026-12-07T11:40:00Z", null, "DAILY", 3L * 1024 * 1024);
        BackupsView v = view("orders", "orders", new BackupsView.Window(null, null, List.of()), List.of(row));
        BackupsView withWal = new BackupsView(v.instance(), v.generatedAt(), v.window(),
                new BackupsView.NewestWal(1, "00000001000000010000003B", "1/3C000028", "2026-12-07T11:40:00Z", true),
                v.backups(), v.failures(), v.problems(), v.restores(), v.drills());
        String html = render("backups/instance", InstancePage.of(withWal, registered("orders", "orders")
                .withRtoBudget(Optional.of(java.time.Duration.ofSeconds(30))), null, NOW, RestoreId.of("7ee639ff-1234"),
                new io.tideline.core.rto.ReplayRate(16L * 1024 * 1024, 0)));
        assertTrue(html.contains("A restore of the newest point: about 1 min of WAL replay (960.0 MiB since backup "
                + "20261207T112350Z-abcd at 16.0 MiB/s (default: no replay measured yet)); RTO budget 30 s (over it: the scheduler"
                + " asks for a base backup)"), html);
    }
}
