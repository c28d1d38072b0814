"""The web app of bureau replies (FastAPI + Jinja2): see campaign.web.app.create_app."""
