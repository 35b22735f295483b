package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What names a machine in its reports, read from /proc and /sys laid out in a directory, and the URI filled in. */
class MachineIdentityTest {

    @TempDir
    Path dir;

    private Path net(String name, String address) throws IOException {
        Path iface = Files.createDirectories(dir.resolve("net").resolve(name));
        Files.writeString(iface.resolve("address"), address + "\n");
        return iface;
    }

    @Test
    void theFirstRealInterfaceNamesTheMachineWithDashes() throws IOException {
        Path kernel = Files.createDirectories(dir.resolve("kernel/random"));
        Files.writeString(kernel.getParent().resolve("hostname"), "web-17\n");
        Files.writeString(kernel.resolve("boot_id"), "0f6c1e2a-1111-2222-3333-444455556666\n");
        net("lo", "00:00:00:00:00:00");
        net("eth1", "52:54:00:AB:CD:02");
        net("eth0", "52:54:00:ab:cd:01");
        net("sit0", "00:00:00:00");
        var machine = MachineIdentity.read(kernel.getParent(), dir.resolve("net"));
        assertThat(machine).isEqualTo(new MachineIdentity("web-17", "52-54-00-ab-cd-01",
                "0f6c1e2a-1111-2222-3333-444455556666"));
        assertThat(BootReporter.location("s3://r/@hostname@/@mac@/@boot_id@.json", machine))
                .hasToString("s3://r/web-17/52-54-00-ab-cd-01/0f6c1e2a-1111-2222-3333-444455556666.json");
    }

    @Test
    void whatCannotBeReadIsUnknown() throws IOException {
        Files.createDirectories(dir.resolve("net"));
        net("lo", "00:00:00:00:00:00");
        var machine = MachineIdentity.read(dir.resolve("no-kernel"), dir.resolve("net"));
        assertThat(machine).isEqualTo(MachineIdentity.NONE);
        assertThat(MachineIdentity.read(dir.resolve("x"), dir.resolve("no-net")).mac()).isEqualTo("unknown");
    }
}
