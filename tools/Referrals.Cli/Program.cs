using Referrals.Cli;

return await CliApp.InvokeAsync(args);
