using Spectre.Console;
using Storekeep.Web.Cli;

namespace Storekeep.Tests.Cli;

/// <summary>The progress bar every long CLI job shares: drawn on a terminal from the job's own reports, left out when the output is redirected.</summary>
public sealed class CliProgressTests
{
    private static IAnsiConsole Console(StringWriter output, bool interactive) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        Out = new AnsiConsoleOutput(output),
    });

    [Fact]
    public async Task On_a_terminal_the_job_reports_its_stages_to_a_bar_and_its_result_comes_back()
    {
        var output = new StringWriter();
        var result = await CliOutput.WithProgressAsync<(string Stage, int Done), int>(
            Console(output, interactive: true), "Reading the file", p => (p.Stage, p.Done, 4), progress =>
            {
                Assert.NotNull(progress);
                progress.Report(("Importing orders", 2));
                progress.Report(("Updating the sales figures", 4));
                return Task.FromResult(42);
            });

        Assert.Equal(42, result);
        // The bar ends on the last stage the job reported, full.
        Assert.Contains("Updating the sales figures", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("100%", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirected_output_gets_no_bar_and_the_job_no_progress()
    {
        var output = new StringWriter();
        var result = await CliOutput.WithProgressAsync<(string Stage, int Done), string>(
            Console(output, interactive: false), "Reading the file", p => (p.Stage, p.Done, 4), progress =>
            {
                Assert.Null(progress);
                return Task.FromResult("done");
            });

        Assert.Equal("done", result);
        Assert.Equal("", output.ToString());
    }
}
