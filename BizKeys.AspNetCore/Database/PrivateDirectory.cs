namespace BizKeys.Core.Data;

/// <summary>
/// Folders that hold password hashes, secret digests, signing keys or logs with addresses: readable by the account
/// that runs BizKeys only (0700 on Linux and macOS), whatever the umask says.
/// </summary>
public static class PrivateDirectory
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return path;
        }
        var existed = Directory.Exists(path);
        Directory.CreateDirectory(path, OwnerOnly);
        if (!existed)
            File.SetUnixFileMode(path, OwnerOnly); // CreateDirectory's mode is filtered by the umask
        return path;
    }
}
