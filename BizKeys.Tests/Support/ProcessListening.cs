using System.Diagnostics;
using System.Text;

namespace BizKeys.Tests.Support;

/// <summary>Reads a started web process's output (kept for failure messages) until it says where it listens.</summary>
public sealed class ProcessListening
{
    private readonly StringBuilder _output = new();

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The address from "Now listening on: …"; throws with the output when the process ends or stays silent first.</summary>
    public async Task<string> UrlAsync(Process process, TimeSpan? timeout = null)
    {
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null)
                return;
            lock (_output)
                _output.AppendLine(line);
            const string marker = "Now listening on: ";
            if (line.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0)
                listening.TrySetResult(line[(at + marker.Length)..].Trim());
        }
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var first = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(timeout ?? TimeSpan.FromSeconds(60)));
        if (first != listening.Task)
            throw new InvalidOperationException($"The process did not start listening:\n{Output}");
        return await listening.Task;
    }
}
