"""`python -m campaign.i18n`: compile the message catalogues (.po -> .mo); run by setup."""

from campaign.i18n import CHINESE, compile_catalogue

if __name__ == "__main__":
    compile_catalogue(CHINESE)
