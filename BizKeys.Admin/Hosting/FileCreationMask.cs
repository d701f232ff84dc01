using System.Runtime.InteropServices;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// Every file BizKeys creates — the database and its journal, signing keys, logs, backups — is readable by its own
/// account only (umask 077), even in a folder that someone else made readable to all.
/// </summary>
public static class FileCreationMask
{
    public static void OwnerOnly()
    {
        if (!OperatingSystem.IsWindows())
            _ = SetMask(0b000_111_111);
    }

#pragma warning disable SYSLIB1054 // a plain call with blittable arguments; LibraryImport would need unsafe code
    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetMask(uint mask);
#pragma warning restore SYSLIB1054
}
